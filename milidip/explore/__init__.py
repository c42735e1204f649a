"""Reading across resources: a country's dossier and the search of every resource."""
