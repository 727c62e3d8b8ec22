"""Printable leaflets (reportlab): service leaflets, topic leaflets, shortlist handouts,
Easy Read and large print, in every leaflet language. Renderers return PDF bytes;
:func:`coventry_directory.leaflets.base.write_pdf` writes them atomically.
"""
