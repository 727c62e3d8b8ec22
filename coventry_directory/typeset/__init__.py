"""Setting text in a PDF in any script: the bundled fonts, HarfBuzz shaping, the ShapedText flowable.

Shared by the leaflets and the referral PDF (a client's name or address may be in
Gurmukhi or Arabic letters), so neither imports the other. Only the bundled Noto fonts
are used, never a system font.
"""
