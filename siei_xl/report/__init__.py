"""``siei-xl report``: the whole SIEI for a group and a span, as a workbook, HTML and PDF.

``compute`` gathers the numbers through the pandas API (no files, no pictures); ``text``
holds the words in English and Russian; ``figures`` draws the pages; ``documents`` writes
the HTML and the PDF; ``run`` reads the inputs and writes the folder. The workbook is
built by ``siei_xl.excel.report_book``.
"""
