"""PredictHealth subgraphs and their shared kit."""
