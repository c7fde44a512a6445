"""The version of orgtf: the one place it is written.

The build reads it from here (``[tool.setuptools.dynamic]`` in pyproject.toml) into the
package metadata, and ``orgtf.__version__`` re-exports it, so ``orgtf --version`` and the
installed metadata cannot disagree, in a wheel or in an editable install.
"""

from __future__ import annotations

__version__ = "0.1.0"
