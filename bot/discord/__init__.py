"""The Discord chat surface (discord.py): the only package that imports discord."""
