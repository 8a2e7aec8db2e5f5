"""The comments service: submission, the moderation pipeline, the moderators' queue."""
