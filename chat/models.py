"""Conversations and messages arrive with the chat issue; the app is wired in from the start."""
