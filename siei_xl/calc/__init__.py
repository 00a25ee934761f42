"""The LibreOffice Calc host of the SIEI functions.

- :mod:`~siei_xl.calc.extension`: the .oxt (IDL, ``CalcAddIns.xcu``, compiled types),
  generated from :data:`siei_xl.sheetfuncs.FUNCTIONS`;
- :mod:`~siei_xl.calc.server`: the child process the add-in hands every call to, running
  in the user's Python;
- :mod:`~siei_xl.calc.install`: install into / remove from a LibreOffice user profile;
- :mod:`~siei_xl.calc.cli`: ``siei-xl calc build|install|uninstall``;
- ``oxt/siei_calc.py``: the UNO component itself (LibreOffice's Python, standard library).
"""
