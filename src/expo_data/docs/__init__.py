"""Generated documentation: the data dictionary, the dataset card, resource descriptions."""
