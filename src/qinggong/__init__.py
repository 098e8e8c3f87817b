"""qinggong (轻工): the monitoring, early-warning and dispatch platform for the
Light Industry Stable Growth Work Plan 2025–2026.

Data flows one way, one package per stage; a stage imports only stages before it:

    catalog → store → ingest → collect → validate → compute → disclose → monitor → plan → publish → web / cli
"""

import os
import sys

__version__ = "0.1.0"


def _numpy_without_huge_pages() -> None:
    """Ask numpy not to back its large arrays with transparent huge pages (THP).

    numpy advises the kernel to use 2 MB pages for every array of 4 MB or more. On the virtual
    machines this platform runs on (guest memory backed lazily by the host, THP in `madvise`
    mode), each such page is taken from memory the guest has not touched yet and costs far more
    to fault in than the 4 KB pages the kernel recycles. Measured on a national 企业直报 batch
    (2.9 million reports): the edit rules' first run took 1.9 s, 1.2 s of it in the kernel, and
    0.9–1.2 s without huge pages. NUMPY_MADVISE_HUGEPAGE=1 in the environment restores numpy's
    default (numpy reads the variable when it is first imported)."""
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return  # the operator's choice
    os.environ["NUMPY_MADVISE_HUGEPAGE"] = "0"
    if "numpy" in sys.modules:  # imported before qinggong: numpy has read the environment already
        from numpy._core import multiarray

        multiarray._set_madvise_hugepage(False)


_numpy_without_huge_pages()
