"""An engine function replaced wherever the engine calls it by the name it imported.

WeasyPrint's modules import the functions they call by name (`from .percent import
resolve_percentages`), so a patch must set its function in each module holding one, not only in the
module that defines it. used_values.py and fast_paths.py install and uninstall their patches so.
"""

from __future__ import annotations

import sys


def holders(name: str, *functions) -> list:
    """The engine's modules holding one of functions under name (every module that may import one
    is imported first, so that each is found)."""
    import weasyprint.css.computed_values  # noqa: F401
    import weasyprint.css.units  # noqa: F401
    import weasyprint.layout  # noqa: F401  every layout module

    return [module for module_name, module in list(sys.modules.items())
            if module_name.startswith("weasyprint.") and module is not None
            and getattr(module, name, None) in functions]


def rebind(name: str, to, instead_of) -> None:
    """Every engine module holding instead_of (or to) under name holds to."""
    for module in holders(name, to, instead_of):
        setattr(module, name, to)
