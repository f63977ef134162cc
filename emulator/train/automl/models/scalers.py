"""The SDK's scaling preprocessors, by the names its pipelines show ("MaxAbsScaler, LightGBM")."""

from __future__ import annotations

from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

SCALERS = {
    "StandardScalerWrapper": StandardScaler,
    "MinMaxScaler": MinMaxScaler,
    "MaxAbsScaler": MaxAbsScaler,
    "RobustScaler": RobustScaler,
}
#: Trees ignore monotone rescaling; the SDK still names their pipelines with this one.
TREE_SCALER = "MaxAbsScaler"
#: The scaler tried first for models that need one.
DEFAULT_SCALER = "StandardScalerWrapper"
