"""Export an encoder (stock or fine-tuned multi-task) to ONNX with torch.onnx, then quantise it to int8."""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)

OPSET = 17


def export_onnx(model, out_path: Path, *, with_heads: bool) -> Path:
    """Write a float32 ONNX graph: inputs input_ids/attention_mask; outputs embedding (+ head logits)."""
    import torch

    class Wrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            if with_heads:
                return self.model(input_ids, attention_mask)
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    wrapper = Wrapper().eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    outputs = ["embedding", "toxicity", "sentiment"] if with_heads else ["embedding"]
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}}
    axes.update({name: {0: "batch"} for name in outputs})
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with torch.inference_mode():
        torch.onnx.export(
            wrapper, (ids, mask), str(out_path), input_names=["input_ids", "attention_mask"],
            output_names=outputs, dynamic_axes=axes, opset_version=OPSET, dynamo=False,
        )
    return out_path


def quantize(fp32_path: Path, int8_path: Path, keep_fp32: str | None = None) -> Path:
    """Dynamic int8 quantisation of the weights (MatMul and the embedding Gather), per channel.

    `keep_fp32`: MatMul nodes whose name contains it stay float32 (where quantisation costs the most accuracy).
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    excluded = []
    if keep_fp32:
        graph = onnx.load(str(fp32_path), load_external_data=False).graph
        excluded = [n.name for n in graph.node if n.op_type == "MatMul" and keep_fp32 in n.name]
    quantize_dynamic(
        str(fp32_path), str(int8_path), weight_type=QuantType.QInt8, per_channel=True,
        op_types_to_quantize=["MatMul", "Gather"], nodes_to_exclude=excluded,
        # fused ops (com.microsoft domain) defeat shape inference; their weights are float32
        extra_options={"DefaultTensorType": 1},
    )
    return int8_path
