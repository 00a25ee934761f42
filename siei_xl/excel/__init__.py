"""Everything that speaks Excel: cell conversion, the workbook template, ribbon macros.

The math never imports from here; this package imports the math.
"""
