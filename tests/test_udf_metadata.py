"""What Excel learns about the SIEI functions: xlwings' own metadata and VBA wrappers.

On Linux ``xw.func`` / ``xw.arg`` are no-ops. Here ``siei_xl/udfs.py`` is executed once more
as a separate module while ``xw.func`` / ``xw.arg`` are xlwings' real Windows decorators
(``xlwings.udfs.xlfunc`` / ``xlarg``, importable with stub ``pywin32`` modules), so
:func:`siei_xl.udfs.excel_function` runs exactly as it does under Excel. The ``__xlfunc__``
metadata it leaves is what *Import Functions* and ``call_udf`` read; the VBA text comes from
xlwings' own ``generate_vba_wrapper``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import io
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
import xlwings

from siei_xl import udfs

NAMES = list(udfs.FUNCTIONS)
STUBS = ("pythoncom", "pywintypes", "win32com", "win32com.client")
RANGE_ARGS = udfs.RANGE_ARGS  # read as 2-D lists, error cells as '#N/A' text
# MS-VBAL 3.3.5.2 reserved identifiers (statement, marker and operator keywords, types).
_RESERVED = """
Abs AddressOf And Any Array As Attribute Boolean ByRef Byte ByVal Call Case CBool CByte CCur
CDate CDbl CDec CInt Circle CLng CLngLng CLngPtr Close Const CSng CStr Currency CVar CVErr
Date Debug Decimal Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng
DefLngPtr DefObj DefSng DefStr DefVar Dim Do DoEvents Double Each Else ElseIf Empty End EndIf
Enum Eqv Erase Error Event Exit False Fix For Friend Function Get Global GoSub GoTo If Imp
Implements In Input InputB Int Integer Is LBound Len LenB Let Like Lock Long LongLong LongPtr
Loop LSet Me Mod New Next Not Nothing Null On Open Option Optional Or ParamArray Preserve
Print Private PSet PtrSafe Public Put RaiseEvent ReDim Rem Resume Return RSet Scale Seek
Select Set Sgn Shared Single Spc Static Stop String Sub Tab Then To True Type TypeOf UBound
Unlock Until Variant Wend While With WithEvents Write Xor
"""
VBA_RESERVED = frozenset(w.lower() for w in _RESERVED.split())


def _stub_modules() -> dict[str, types.ModuleType]:
    """Just enough of pywin32 for ``import xlwings.udfs``: nothing here talks to COM."""
    pythoncom: Any = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda *a, **k: None
    pythoncom.IID_IDispatch = None
    pywintypes: Any = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})
    win32com: Any = types.ModuleType("win32com")
    win32com.__path__ = []
    client: Any = types.ModuleType("win32com.client")

    def dispatch(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no COM in tests")

    client.Dispatch = dispatch
    win32com.client = client
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
    }


@contextlib.contextmanager
def real_xlwings_udfs() -> Iterator[types.ModuleType]:
    """The real ``xlwings.udfs``; ``sys.modules`` and ``xlwings.udfs`` restored afterwards."""
    names = (*STUBS, "xlwings.udfs")
    saved = {name: sys.modules.get(name) for name in names}
    missing = object()
    saved_attr = getattr(xlwings, "udfs", missing)
    try:
        if sys.platform != "win32":
            sys.modules.update(_stub_modules())
            sys.modules.pop("xlwings.udfs", None)
        yield importlib.import_module("xlwings.udfs")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        if saved_attr is missing:
            if hasattr(xlwings, "udfs"):
                delattr(xlwings, "udfs")
        else:
            xlwings.udfs = saved_attr  # type: ignore[attr-defined]


def test_the_stubs_are_removed_afterwards() -> None:
    """Runs before the module fixture below is set up (tests run in file order)."""
    before = {name: sys.modules.get(name) for name in (*STUBS, "xlwings.udfs")}
    attribute = getattr(xlwings, "udfs", None)
    with real_xlwings_udfs() as xl_udfs:
        assert callable(xl_udfs.xlfunc)
        assert callable(xl_udfs.generate_vba_wrapper)
    assert {name: sys.modules.get(name) for name in before} == before
    assert getattr(xlwings, "udfs", None) is attribute
    if sys.platform != "win32" and before["pythoncom"] is None:
        with pytest.raises(ImportError):
            importlib.import_module("xlwings.udfs")
        sys.modules.pop("xlwings.udfs", None)


@pytest.fixture(scope="module")
def xl_udfs() -> Iterator[types.ModuleType]:
    with real_xlwings_udfs() as module:
        yield module


@pytest.fixture(scope="module")
def excel_module(xl_udfs: types.ModuleType) -> Iterator[types.ModuleType]:
    """``siei_xl/udfs.py`` executed with xlwings' real decorators, as under Excel."""
    name = "siei_xl_udfs_as_in_excel"
    spec = importlib.util.spec_from_file_location(name, udfs.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = xlwings.func, xlwings.arg
    xlwings.func, xlwings.arg = xl_udfs.xlfunc, xl_udfs.xlarg
    sys.modules[name] = module  # dataclasses look their module up while decorating
    try:
        spec.loader.exec_module(module)
    finally:
        xlwings.func, xlwings.arg = saved
    try:
        yield module
    finally:
        sys.modules.pop(name, None)


@pytest.fixture(scope="module")
def vba_text(xl_udfs: types.ModuleType, excel_module: types.ModuleType) -> str:
    """xlwings' wrappers for the module, as *Import Functions* writes them."""
    buffer = io.StringIO()
    workbook = types.SimpleNamespace(Name="siei.xlsm")  # the only attribute it reads
    xl_udfs.generate_vba_wrapper("siei_xl.udfs", excel_module, buffer, workbook)
    return buffer.getvalue()


def _meta(module: types.ModuleType, name: str) -> dict[str, Any]:
    func = getattr(module, name)
    assert hasattr(func, "__xlfunc__"), f"{name} has no xlwings metadata"
    meta: dict[str, Any] = func.__xlfunc__
    return meta


# ------------------------------------------------------------- the registry
def test_the_registry_lists_every_function() -> None:
    public = {n for n in dir(udfs) if n.startswith("SIEI_") and callable(getattr(udfs, n))}
    assert set(NAMES) == public
    expected = {
        "SIEI_PAIR",
        "SIEI_COUNTRYGROUP",
        "SIEI_GROUPCV",
        "SIEI_PAIR_SERIES",
        "SIEI_COUNTRYGROUP_SERIES",
        "SIEI_GROUPCV_SERIES",
        "SIEI_PAIR_MATRIX",
        "SIEI_STANDARDIZE",
        "SIEI_VERSION",
        "SIEI_GROUP_MEMBERS",
        "SIEI_DATA_INFO",
    }
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_python_signature(name: str) -> None:
    """Positional arguments only, no *args, optional ones last and defaulting to None."""
    params = list(inspect.signature(getattr(udfs, name)).parameters.values())
    assert [p.name for p in params] == list(udfs.FUNCTIONS[name].args)
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
    defaults = [p.default is not inspect.Parameter.empty for p in params]
    assert defaults == sorted(defaults), "an optional argument before a required one"
    assert all(p.default is None for p in params if p.default is not inspect.Parameter.empty)


# ------------------------------------------------------ xlwings' metadata
@pytest.mark.parametrize("name", NAMES)
def test_name_and_category(excel_module: types.ModuleType, name: str) -> None:
    meta = _meta(excel_module, name)
    assert meta["name"] == name
    assert re.fullmatch(r"SIEI_[A-Z]+(_[A-Z]+)*", name)
    assert len(name) <= 255
    assert meta["category"] == "SIEI"
    assert meta["sub"] is False
    assert meta["volatile"] is False
    assert meta["async_mode"] is None


@pytest.mark.parametrize("name", NAMES)
def test_description_is_the_summary(excel_module: types.ModuleType, name: str) -> None:
    summary = udfs.FUNCTIONS[name].summary
    meta = _meta(excel_module, name)
    assert meta["ret"]["doc"] == summary
    assert getattr(excel_module, name).__doc__ == summary
    assert "\n" not in summary
    assert 0 < len(summary) < 255


@pytest.mark.parametrize("name", NAMES)
def test_arguments(excel_module: types.ModuleType, name: str) -> None:
    from xlwings.conversion import accessors
    from xlwings.conversion.standard import ValueAccessor

    meta = _meta(excel_module, name)
    docs = udfs.FUNCTIONS[name].args
    params = inspect.signature(getattr(udfs, name)).parameters
    assert [a["name"] for a in meta["args"]] == list(docs) == list(params)
    for pos, arg in enumerate(meta["args"]):
        assert arg["pos"] == pos
        assert arg["doc"] == docs[arg["name"]]
        assert 0 < len(arg["doc"]) < 255
        assert arg["vararg"] is False
        assert arg["vba"] is None
        default = params[arg["name"]].default
        if default is inspect.Parameter.empty:
            assert "optional" not in arg, arg["name"]
        else:
            assert "optional" in arg, arg["name"]
            assert arg["optional"] is None  # what call_udf passes for an omitted argument
        options = dict(arg["options"])
        # a type hint would become a converter: every argument must arrive as raw values
        convert = options.pop("convert", None)
        assert accessors.get(convert, convert) is ValueAccessor, (arg["name"], convert)
        if arg["name"] in RANGE_ARGS:
            assert options == {"ndim": 2, "err_to_str": True}
        else:
            assert options == {}
    ret = dict(meta["ret"]["options"])
    convert = ret.pop("convert", None)
    assert accessors.get(convert, convert) is ValueAccessor
    assert ret == {}  # no 'expand': Excel 365 spills lists of rows by itself


@pytest.mark.parametrize("name", NAMES)
def test_names_are_valid_in_vba(excel_module: types.ModuleType, name: str) -> None:
    identifier = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}")
    assert identifier.fullmatch(name)
    assert name.lower() not in VBA_RESERVED
    # a name like ABC1 or R1C1 would be read as a cell reference
    assert not re.fullmatch(r"[A-Za-z]{1,3}[0-9]{1,7}|[Rr][0-9]*[Cc][0-9]*", name)
    for arg in _meta(excel_module, name)["args"]:
        assert identifier.fullmatch(arg["name"]), arg["name"]
        assert arg["name"].lower() not in VBA_RESERVED, arg["name"]


def test_the_copy_behaves_like_the_module(excel_module: types.ModuleType) -> None:
    """The decorated copy is the same code: same answers."""
    from udf_helpers import example_rows

    rows = example_rows()
    assert excel_module.SIEI_PAIR(rows, "KAZ", "RUS", 2015.0) == udfs.SIEI_PAIR(
        rows, "KAZ", "RUS", 2015.0
    )
    assert excel_module.SIEI_PAIR(rows, "KZX", "RUS", 2015.0).startswith("#N/A: ")


# ------------------------------------------------------------- VBA wrappers
_SIGNATURE = re.compile(r"^Function (\w+)\((.*)\)$", re.M)


def test_a_wrapper_per_function(vba_text: str) -> None:
    found = _SIGNATURE.findall(vba_text)
    assert sorted(name for name, _ in found) == sorted(NAMES)
    assert "Sub " not in vba_text
    assert "ParamArray" not in vba_text
    assert "Application.Volatile" not in vba_text


@pytest.mark.parametrize("name", NAMES)
def test_wrapper_arguments(vba_text: str, name: str) -> None:
    signatures = dict(_SIGNATURE.findall(vba_text))
    params = inspect.signature(getattr(udfs, name)).parameters
    expected = [
        p if params[p].default is inspect.Parameter.empty else f"Optional {p}" for p in params
    ]
    assert signatures[name] == ", ".join(expected)
    call = f'{name} = XLPy.CallUDF("siei_xl.udfs", "{name}", Array({", ".join(params)}), '
    assert call + "ThisWorkbook, Application.Caller)" in vba_text
    body = vba_text.split(f"Function {name}(", 1)[1].split("End Function", 1)[0]
    assert "Application.Volatile" not in body


def test_the_add_in_form_uses_the_active_workbook(
    xl_udfs: types.ModuleType, excel_module: types.ModuleType
) -> None:
    buffer = io.StringIO()
    addin = types.SimpleNamespace(Name="siei.xlam")
    xl_udfs.generate_vba_wrapper("siei_xl.udfs", excel_module, buffer, addin)
    assert "ActiveWorkbook, Application.Caller)" in buffer.getvalue()
    assert "ThisWorkbook" not in buffer.getvalue()


def test_the_template_generator_sees_the_same_metadata(
    xl_udfs: types.ModuleType, excel_module: types.ModuleType, vba_text: str
) -> None:
    """The workbook's VBA is built from siei_xl.excel.vba's own decoration: it must give
    the wrappers that excel_function's decorators give under Excel."""
    vba = pytest.importorskip("siei_xl.excel.vba")
    if not hasattr(vba, "decorated_functions"):
        pytest.skip("siei_xl.excel.vba has no decorated_functions")
    module = vba.decorated_functions(xl_udfs)
    buffer = io.StringIO()
    xl_udfs.generate_vba_wrapper(
        "siei_xl.udfs", module, buffer, types.SimpleNamespace(Name="siei.xlsm")
    )
    assert buffer.getvalue() == vba_text
    for name in NAMES:
        theirs, ours = _meta(module, name), _meta(excel_module, name)
        for key in ("name", "category", "volatile", "call_in_wizard", "async_mode"):
            assert theirs[key] == ours[key], (name, key)
        assert theirs["ret"]["doc"] == ours["ret"]["doc"]
        strip = ("argmap",)
        assert [{k: v for k, v in a.items() if k not in strip} for a in theirs["args"]] == [
            {k: v for k, v in a.items() if k not in strip} for a in ours["args"]
        ]
