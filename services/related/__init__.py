"""The related-articles service: an Arabic-aware index of published articles and their lists."""
