"""The trained classifier artifacts, shipped inside the installed package (see MODEL_CARD.md)."""
