"""Where expo-data keeps what it caches: `$EXPO_DATA_CACHE`, else the user cache folder."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "EXPO_DATA_CACHE"


def cache_root() -> Path:
    """The cache folder (not created here)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("expo-data"))
