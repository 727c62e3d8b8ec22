"""Printable leaflets (reportlab), in every leaflet language.

Service leaflets, topic leaflets, shortlist handouts, Easy Read and large print. Renderers return PDF bytes;
:func:`coventry_directory.leaflets.base.write_pdf` writes them atomically.
"""
