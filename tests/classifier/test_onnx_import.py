"""Warm start: the float32 weights recovered from an int8 graph are the exported ones, within a quantisation step."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    from moderation.classifier import finetune as ft
    from moderation.classifier.onnx_export import export_onnx, quantize
    from moderation.classifier.settings import default_encoder, offline_hub

    offline_hub()
    model = ft.build_model(default_encoder())
    stock = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():  # stand-ins for fine-tuning: a trained upper layer, embeddings and task heads
        gen = torch.Generator().manual_seed(0)
        for name in ("encoder.encoder.layer.4.output.dense.weight", "encoder.embeddings.position_embeddings.weight",
                     "toxicity.weight", "encoder.encoder.layer.5.attention.output.LayerNorm.bias"):
            param = dict(model.named_parameters())[name]
            param.add_(0.05 * torch.randn(param.shape, generator=gen))
    tuned = {k: v.clone() for k, v in model.state_dict().items()}
    work = tmp_path_factory.mktemp("onnx")
    fp32 = export_onnx(model.eval(), work / "encoder.fp32.onnx", with_heads=True)
    return stock, tuned, quantize(fp32, work / "encoder.int8.onnx")


def test_recovered_weights_match_the_exported_model(exported: tuple[dict, dict, Path]) -> None:
    from moderation.classifier.onnx_import import state_from_int8_onnx

    stock, tuned, int8 = exported
    state = state_from_int8_onnx(int8, stock, frozen_layers=2)
    assert state.keys() == tuned.keys()
    for key in ("encoder.encoder.layer.4.output.dense.weight", "toxicity.weight"):  # per-channel int8 MatMuls
        step = tuned[key].abs().amax(dim=1, keepdim=True) / 127
        assert ((state[key] - tuned[key]).abs() <= step * 0.51 + 1e-7).all(), key
        assert not torch.equal(state[key], stock[key])
    step = tuned["encoder.embeddings.position_embeddings.weight"].abs().max() / 127  # per-tensor Gather
    assert (state["encoder.embeddings.position_embeddings.weight"]
            - tuned["encoder.embeddings.position_embeddings.weight"]).abs().max() <= step * 0.51 + 1e-7
    bias = "encoder.encoder.layer.5.attention.output.LayerNorm.bias"  # float32 in the graph: exact
    assert torch.equal(state[bias], tuned[bias])
    for key in ("encoder.embeddings.word_embeddings.weight", "encoder.encoder.layer.1.intermediate.dense.weight"):
        assert torch.equal(state[key], stock[key])  # never fine-tuned: exact stock values, not int8 copies


def test_a_graph_from_another_model_is_refused(exported: tuple[dict, dict, Path]) -> None:
    from moderation.classifier.onnx_import import state_from_int8_onnx

    stock, _, int8 = exported
    smaller = {k: v for k, v in stock.items() if not k.startswith("toxicity.")}
    with pytest.raises(KeyError):
        state_from_int8_onnx(int8, smaller, frozen_layers=2)
