"""What an operator runs on the whole of Docent's data: backup and restore (`backup`) and the
health checks (`health`), with their management commands in workspaces/management/commands.
They sit in the top app because they read every app's tables."""
