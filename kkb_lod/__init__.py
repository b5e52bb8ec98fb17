"""kkb-lod: the Kampung Keluarga Berkualitas registry as five-star linked open data.

The public surface is small on purpose: build a release from registry CSVs, or serve one.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
