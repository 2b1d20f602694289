"""Write face_decoder.onnx: latent -> portrait, all in one graph (texture mix, shape warp by GridSample), so
the whole render runs on whichever provider ONNX Runtime picked.

The studio look (soft face mask, backdrop, vignette) is linear in the texture, so it is folded into the
stored images at build time: BASE = vignette * (mask * mean + (1 - mask) * backdrop) and each basis image is
multiplied by vignette * mask. Only the part of the basis inside the mask is stored (CROP) and padded back.

Graph (N = batch):
  w      = relu(latent[:, :126]) / sum                          cell weights
  coeffs = [w @ CELL_TEX_COEF, latent[:, texture slice]]
  texture= BASE + Pad(coeffs @ BASIS_CROP)                       (N, 3, H, W) in the mean-shape frame
  field  = [w, latent[:, shape slice]] @ FIELDS                  (N, 2, G, G) canvas -> texture coordinates
  image  = GridSample(texture, Resize(field, size)) -> uint8 (N, size, size, 3)
`size` is an optional input (default 256).
"""

from __future__ import annotations

import numpy as np

OPSET = 17


def build_decoder(
    cell_tex_coef: np.ndarray,  # (126, K)
    basis_crop: np.ndarray,  # (K + n_tex, 3 * h * w): cell-mean components then individual components
    crop: tuple[int, int, int, int],  # (row0, col0, h, w) of the crop inside the texture
    base: np.ndarray,  # (3, H, W) the composited mean texture
    fields: np.ndarray,  # (126 + n_shape, 2, G, G) in GridSample units [-1, 1]
    default_size: int,
    metadata: dict[str, str],
):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    n_cells, k = cell_tex_coef.shape
    n_shape = fields.shape[0] - n_cells
    n_tex = basis_crop.shape[0] - k
    latent_size = n_cells + n_shape + n_tex
    _, tex_h, tex_w = base.shape
    row0, col0, h, w = crop
    g = fields.shape[-1]

    def const(name, value, dtype=np.float32):
        return numpy_helper.from_array(np.ascontiguousarray(np.asarray(value, dtype=dtype)), name)

    inits = [
        const("cell_tex_coef", cell_tex_coef),
        # stored as float16 (half the file); the Cast is folded to float32 when the session loads
        const("basis16", basis_crop, np.float16),
        const("base", base[None]),
        const("fields", fields.reshape(fields.shape[0], -1)),
        const("size", [default_size], np.int64),
        const("eps", [1e-6]),
        const("zero", 0.0),
        const("u255", 255.0),
        const("half", 0.5),
        const("axis1", [1], np.int64),
        const("i0", [0], np.int64),
        const("i1", [1], np.int64),
        const("c2", [2], np.int64),
        const("w_from", [0], np.int64),
        const("w_to", [n_cells], np.int64),
        const("shape_to", [n_cells + n_shape], np.int64),
        const("tex_to", [latent_size], np.int64),
        const("crop_shape", [-1, 3, h, w], np.int64),
        const("pads", [0, 0, row0, col0, 0, 0, tex_h - row0 - h, tex_w - col0 - w], np.int64),
        const("field_shape", [-1, 2, g, g], np.int64),
    ]
    n = helper.make_node
    nodes = [
        n("Slice", ["latent", "w_from", "w_to", "axis1"], ["w_raw"]),
        n("Relu", ["w_raw"], ["w_pos"]),
        n("ReduceSum", ["w_pos", "axis1"], ["w_sum"], keepdims=1),
        n("Max", ["w_sum", "eps"], ["w_den"]),
        n("Div", ["w_pos", "w_den"], ["w"]),
        n("Slice", ["latent", "w_to", "shape_to", "axis1"], ["shape_coef"]),
        n("Slice", ["latent", "shape_to", "tex_to", "axis1"], ["tex_coef"]),
        # texture in the mean-shape frame
        n("MatMul", ["w", "cell_tex_coef"], ["cell_coef"]),
        n("Concat", ["cell_coef", "tex_coef"], ["all_tex_coef"], axis=1),
        n("Cast", ["basis16"], ["basis"], to=TensorProto.FLOAT),
        n("MatMul", ["all_tex_coef", "basis"], ["delta_flat"]),
        n("Reshape", ["delta_flat", "crop_shape"], ["delta_crop"]),
        n("Pad", ["delta_crop", "pads"], ["delta"], mode="constant"),
        n("Add", ["delta", "base"], ["texture"]),
        # shape: backward warp field, mixed linearly, upsampled to the output size
        n("Concat", ["w", "shape_coef"], ["field_coef"], axis=1),
        n("MatMul", ["field_coef", "fields"], ["field_flat"]),
        n("Reshape", ["field_flat", "field_shape"], ["field_small"]),
        n("Shape", ["latent"], ["latent_shape"]),
        n("Slice", ["latent_shape", "i0", "i1"], ["batch"]),
        n("Concat", ["batch", "c2", "size", "size"], ["field_sizes"], axis=0),
        n("Resize", ["field_small", "", "", "field_sizes"], ["field"], mode="linear",
          coordinate_transformation_mode="half_pixel"),
        n("Transpose", ["field"], ["grid"], perm=[0, 2, 3, 1]),
        n("GridSample", ["texture", "grid"], ["rgb"], mode="bilinear", padding_mode="border", align_corners=0),
        n("Mul", ["rgb", "u255"], ["scaled"]),
        n("Add", ["scaled", "half"], ["shifted"]),
        n("Clip", ["shifted", "zero", "u255"], ["clipped"]),
        n("Cast", ["clipped"], ["bytes"], to=TensorProto.UINT8),
        n("Transpose", ["bytes"], ["image"], perm=[0, 2, 3, 1]),
    ]
    graph = helper.make_graph(
        nodes,
        "face_decoder",
        [
            helper.make_tensor_value_info("latent", TensorProto.FLOAT, ["batch", latent_size]),
            helper.make_tensor_value_info("size", TensorProto.INT64, [1]),
        ],
        [helper.make_tensor_value_info("image", TensorProto.UINT8, ["batch", "height", "width", 3])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="s2f-desktop")
    model.ir_version = 8
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    return model
