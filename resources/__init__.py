"""Prompt texts, checklists, example catalog and config shipped with the app."""
