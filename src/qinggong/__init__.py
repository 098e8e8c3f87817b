"""qinggong (轻工): the monitoring, early-warning and dispatch platform for the
Light Industry Stable Growth Work Plan 2025–2026.

Data flows one way, one package per stage; a stage imports only stages before it:

    catalog → store → ingest → collect → validate → compute → disclose → monitor → plan → publish → web / cli
"""

__version__ = "0.1.0"
