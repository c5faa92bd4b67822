"""Brand knowledge: answers (knowledge.yaml) and products (catalogue.csv), retrieved to ground replies."""

from moderation.knowledge.files import Answer, KnowledgeBase, KnowledgeError, Product, load_knowledge

__all__ = ["Answer", "KnowledgeBase", "KnowledgeError", "Product", "load_knowledge"]
