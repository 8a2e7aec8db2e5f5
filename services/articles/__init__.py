"""The articles service: articles, categories, slugs, the publishing workflow."""
