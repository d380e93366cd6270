"""Translation linking: evidence, content features and scores (pure), and linking a stored article."""
