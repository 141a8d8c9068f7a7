"""Feed ingestion: fetch RSS and Atom feeds safely, clean and deduplicate their entries,
store them as articles and let the recommender suggest topics for them.

``fetch`` talks to the network (public addresses only), ``parse`` turns bytes into clean
entries, ``services`` writes articles and feed state, ``suggestions`` writes topic
suggestions, ``jsonl`` bulk-loads JSON Lines files.
"""
