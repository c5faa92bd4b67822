"""Recover a float32 multi-task state dict from a shipped int8 encoder graph, to warm-start fine-tuning.

Fine-tuning costs tens of minutes of shared CPU; a new run can continue from the encoder already in `models/`
instead of from the stock model. MatMul weights are dequantised (per output channel, int8: error ≤ half a step);
what fine-tuning never changes (word embeddings, the frozen lowest layers) is taken exactly from the stock model.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

# "/model/encoder/encoder/layer.3/attention/self/query/MatMul_quant" -> "encoder.encoder.layer.3.attention.self.query"
_NODE = re.compile(r"^/model/(?P<module>.+)/MatMul(_quant)?$")


def _array(init) -> np.ndarray:  # noqa: ANN001
    from onnx import numpy_helper

    return numpy_helper.to_array(init)


def _dequantised(inits: dict, base: str) -> np.ndarray:
    q = _array(inits[f"{base}_quantized"]).astype(np.float32)
    scale = _array(inits[f"{base}_scale"]).astype(np.float32)
    zero = _array(inits[f"{base}_zero_point"]).astype(np.float32)
    return (q - zero) * scale  # per-channel scales broadcast over the last (output) axis; scalars over all


def state_from_int8_onnx(onnx_path: Path, stock_state: dict, frozen_layers: int) -> dict:
    """A state dict for `finetune.build_model` matching `onnx_path`; keys absent from the graph keep `stock_state`."""
    import onnx
    import torch

    graph = onnx.load(str(onnx_path)).graph
    inits = {i.name: i for i in graph.initializer}
    state = {k: v.clone() for k, v in stock_state.items()}
    recovered: list[str] = []

    def put(key: str, value: np.ndarray) -> None:
        if key not in state:
            raise KeyError(f"{key} from {onnx_path} is not a parameter of the multi-task model")
        if tuple(state[key].shape) != value.shape:
            raise ValueError(f"{key}: graph shape {value.shape} != model shape {tuple(state[key].shape)}")
        state[key] = torch.from_numpy(np.array(value, dtype=np.float32)).to(state[key].dtype)
        recovered.append(key)

    for name, init in inits.items():  # biases and LayerNorms are float32 in the graph, under their own names
        if name.startswith("model.") and not name.endswith(("_quantized", "_scale", "_zero_point")):
            put(name.removeprefix("model."), _array(init))
    for base in ("position_embeddings", "token_type_embeddings"):  # trained; word embeddings are frozen
        put(f"encoder.embeddings.{base}.weight", _dequantised(inits, f"model.encoder.embeddings.{base}.weight"))
    for node in graph.node:
        weight = next((x for x in node.input if x.endswith("_quantized") and x in inits), None)
        if weight is None or node.op_type in ("Gather", "DequantizeLinear"):
            continue
        base = weight.removesuffix("_quantized")
        # The task heads keep their parameter names; onnxruntime >= 1.32 turns their Gemm into a MatMul over an
        # initializer named "<weight>_Transposed" (W^T, as every MatMul here holds).
        head = base.removesuffix("_Transposed")
        if head.startswith("model."):
            put(head.removeprefix("model."), _dequantised(inits, base).T)
            continue
        match = _NODE.match(node.name)
        if match is None:
            raise ValueError(f"cannot tell which layer quantised node {node.name!r} belongs to")
        put(match["module"].replace("/", ".") + ".weight", _dequantised(inits, base).T)  # MatMul holds W^T
    frozen = tuple(f"encoder.encoder.layer.{i}." for i in range(frozen_layers))
    for key in [k for k in recovered if k.startswith(frozen)]:  # never trained: exact stock values beat int8
        state[key] = stock_state[key].clone()
    logger.info("moderation.classifier.onnx_import", extra={"recovered": len(recovered), "path": str(onnx_path)})
    return state
