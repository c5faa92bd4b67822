"""`socialops demo`: the whole loop on embedded defaults, over a bundled week of comments and DMs."""
