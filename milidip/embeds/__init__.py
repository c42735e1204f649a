"""Embeds for front ends: self-contained pages under /embed/ made to sit in an iframe on any site
(README, "Embedding"). They read records as the public pages do (milidip.pages) and are the only
pages any origin may frame."""
