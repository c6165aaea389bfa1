"""Columns from the Rust core into pandas data frames.

The core hands over each column once: numbers as little-endian buffers, text
as codes into a list of names. With pyarrow installed, text columns are
Arrow-backed strings (pandas' own string dtype); numbers are numpy arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

try:
    import pyarrow as pa
except ImportError:  # pandas alone works too, with object text columns
    pa = None

_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


def _arrow_strings(t: "pa.DataType"):
    # pandas 3 maps Arrow strings to its Arrow-backed `str` by itself.
    if not _PANDAS_3 and (pa.types.is_string(t) or pa.types.is_large_string(t)):
        return pd.StringDtype("pyarrow")
    return None


def frame(columns, cls=pd.DataFrame):
    """A data frame of `cls` from the core's `[(name, kind, data, names)]`."""
    if pa is not None:
        arrays = {}
        for name, kind, data, names in columns:
            if kind == "coded":
                codes = pa.array(np.frombuffer(data, dtype="<u4"))
                arrays[name] = pa.array(names, type=pa.string()).take(codes)
            elif kind == "i64":
                arrays[name] = pa.array(np.frombuffer(data, dtype="<i8"))
            elif kind == "f64":
                arrays[name] = pa.array(np.frombuffer(data, dtype="<f8"))
            elif kind == "text":
                arrays[name] = pa.array(data, type=pa.string())
            else:
                arrays[name] = pa.array(data, type=pa.bool_())
        df = pa.table(arrays).to_pandas(types_mapper=_arrow_strings)
        return df if cls is pd.DataFrame else cls(df)
    data = {}
    for name, kind, buf, names in columns:
        if kind == "coded":
            data[name] = np.asarray(names, dtype=object)[np.frombuffer(buf, dtype="<u4")]
        elif kind == "i64":
            data[name] = np.frombuffer(buf, dtype="<i8")
        elif kind == "f64":
            data[name] = np.frombuffer(buf, dtype="<f8")
        elif kind == "text":
            data[name] = np.asarray(buf, dtype=object)
        else:
            data[name] = np.asarray(buf, dtype=bool)
    return cls(data)


def read_csv(path) -> pd.DataFrame:
    """A CSV the core wrote, with every number read back exactly."""
    if pa is not None:
        return pd.read_csv(path, engine="pyarrow")
    return pd.read_csv(path, float_precision="round_trip")
