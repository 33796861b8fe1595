"""Multi-criteria decision methods beyond the composite-indicator core (VIKOR, PROMETHEE II, MEREC, COMET …),
vectorised over leading axes like the rest of the engine. Each module declares its methods in a registry
(see `_registry.py`); frameworks name them as aggregation or weight methods."""
