//===- frontend/kernels/ConvGenerators.cpp - Conv and pooling pipelines ---===//
//
// The eager kernels of the 2-D window ops on NCHW tensors: convolution (its
// forward, input gradient and weight gradient), max pooling (values and
// argmax indices, and the gradient scattered back through them) and average
// pooling (forward and gradient). Built into the same generator executable
// as Generators.cpp and instantiated for float32 and float64 in
// CMakeLists.txt.
//
// A tensor [N, C, H, W] is a Halide buffer (x = W, y = H, c = C, n = N),
// innermost first. Window geometry (stride, padding, dilation, kernel size)
// comes in as scalar parameters and the output's size as its buffer's
// extents: the caller computes PyTorch's output shape (ceil_mode included)
// and every kernel only evaluates the formula for the positions asked for.
// Padding reads zeros (conv, average pool) or -inf (max pool) through
// Halide's boundary conditions; the conv and max-pool kernels evaluate the
// padded input once up front (computeOnce), so that their inner loops read
// plain memory.
//
// Schedules: vectorize along the output width (or, for the gradients that
// gather, the input width), keep tiles of channels' accumulators in
// registers so that each vector loaded serves several of them, and run
// tiles of batch x channels in parallel. Unit strides and groups=1 get
// specialized code (dense loads, shared input vectors); other
// configurations run the same algorithm with gathers.
//
//===----------------------------------------------------------------------===//
#include "Halide.h"

#include <limits>
#include <vector>

using namespace Halide;

namespace {

constexpr int kLanes = 16; // floats per AVX-512 vector

Expr zeroOf(const Type &t) { return cast(t, Expr(0.0)); }
Expr minusInfinity(const Type &t) {
  return cast(t, Expr(-std::numeric_limits<double>::infinity()));
}

/// Output channels computed together, sharing each input vector they read.
constexpr int kChannelTile = 8;

/// Evaluates `f`, a 4-D Func, once, at root, over what its consumers read:
/// for an input behind a boundary condition this makes the zero-padded
/// copy, so the inner loops read plain memory instead of testing bounds.
void computeOnce(Func f) {
  std::vector<Var> args = f.args();
  f.compute_root().parallel(args[3]).vectorize(args[0], kLanes,
                                               TailStrategy::GuardWithIf);
}

/// out(x, y, o, n) = bias(o) + sum over (kx, ky, ci) of
///   in(x * sx - px + kx * dx, y * sy - py + ky * dy, g * Cg + ci, n) *
///   weight(kx, ky, ci, o)
/// with g = o / (O / groups) the output channel's group and Cg = C / groups.
class Conv2dGenerator : public Generator<Conv2dGenerator> {
public:
  Input<Buffer<>> in{"in", 4};         // [N, C, H, W]
  Input<Buffer<>> weight{"weight", 4}; // [O, C / groups, kH, kW]
  Input<Buffer<>> bias{"bias", 1};     // [O] (zeros for no bias)
  Input<int> strideX{"stride_x"}, strideY{"stride_y"};
  Input<int> paddingX{"padding_x"}, paddingY{"padding_y"};
  Input<int> dilationX{"dilation_x"}, dilationY{"dilation_y"};
  Input<int> groups{"groups"};
  Output<Buffer<>> out{"out", 4}; // [N, O, OH, OW]

  void generate() {
    Var x("x"), y("y"), o("o"), n("n");
    Type t = in.type();
    Func padded = BoundaryConditions::constant_exterior(in, zeroOf(t));
    Expr channels = in.dim(2).extent(), outChannels = weight.dim(3).extent();
    Expr inPerGroup = weight.dim(2).extent();
    Expr outPerGroup = outChannels / groups;
    // Tiles of output channels round up past the last one: those read
    // zero weights (and clamped channels and bias) and are never stored.
    Var kx("kx"), ky("ky"), ci("ci");
    Func tiledWeight("tiled_weight");
    tiledWeight(kx, ky, ci, o) =
        select(o < outChannels, weight(kx, ky, ci, min(o, outChannels - 1)),
               zeroOf(t));
    RDom r(0, weight.dim(0).extent(), 0, weight.dim(1).extent(), 0, inPerGroup,
           "r");
    Expr channel =
        select(groups == 1, r.z,
               clamp((o / outPerGroup) * inPerGroup + r.z, 0, channels - 1));
    Func sum("sum");
    sum(x, y, o, n) = bias(min(o, outChannels - 1));
    sum(x, y, o, n) +=
        padded(x * strideX - paddingX + r.x * dilationX,
               y * strideY - paddingY + r.y * dilationY, channel, n) *
        tiledWeight(r.x, r.y, r.z, o);
    out(x, y, o, n) = sum(x, y, o, n);

    // A vector of outputs of each of kChannelTile channels accumulates in
    // registers over the whole window.
    Var xo("xo"), xi("xi"), oo("oo"), oi("oi"), tile("tile");
    out.split(x, xo, xi, kLanes, TailStrategy::GuardWithIf)
        .split(o, oo, oi, kChannelTile, TailStrategy::GuardWithIf)
        .reorder(xi, oi, xo, y, oo, n)
        .vectorize(xi)
        .fuse(oo, n, tile)
        .parallel(tile);
    // Constant-size storage lets LLVM keep the accumulators in registers.
    sum.compute_at(out, xo)
        .bound_extent(x, kLanes)
        .bound_extent(o, kChannelTile)
        .vectorize(x, kLanes, TailStrategy::RoundUp)
        .unroll(o, kChannelTile, TailStrategy::RoundUp);
    sum.update()
        .reorder(x, o, r.x, r.y, r.z, y, n)
        .vectorize(x, kLanes, TailStrategy::RoundUp)
        .unroll(o, kChannelTile, TailStrategy::RoundUp);
    // Unit stride: dense vector loads; one group: the tile's channels share
    // every input vector.
    sum.update().specialize(strideX == 1 && groups == 1);
    computeOnce(padded);
    tiledWeight.compute_root();
  }
};

/// The gradient of conv2d with respect to its input: every output position
/// whose window read in(x, y, c, n) sends back gradOut * weight.
///   gradIn(x, y, c, n) = sum over (kx, ky, oi) with o = g * Og + oi of
///     gradOut((x + px - kx * dx) / sx, (y + py - ky * dy) / sy, o, n) *
///     weight(kx, ky, c % Cg, o)
/// where the divisions are exact (else the term is zero) and in range.
class Conv2dInputGradGenerator : public Generator<Conv2dInputGradGenerator> {
public:
  Input<Buffer<>> gradOut{"grad_out", 4}; // [N, O, OH, OW]
  Input<Buffer<>> weight{"weight", 4};    // [O, C / groups, kH, kW]
  Input<int> strideX{"stride_x"}, strideY{"stride_y"};
  Input<int> paddingX{"padding_x"}, paddingY{"padding_y"};
  Input<int> dilationX{"dilation_x"}, dilationY{"dilation_y"};
  Input<int> groups{"groups"};
  Output<Buffer<>> gradIn{"grad_in", 4}; // [N, C, H, W]

  void generate() {
    Var x("x"), y("y"), c("c"), n("n");
    Type t = gradOut.type();
    Expr outChannels = weight.dim(3).extent();
    Expr inPerGroup = weight.dim(2).extent();
    Expr outPerGroup = outChannels / groups;
    RDom r(0, weight.dim(0).extent(), 0, weight.dim(1).extent(), 0, outPerGroup,
           "r");
    Expr ux = x + paddingX - r.x * dilationX;
    Expr uy = y + paddingY - r.y * dilationY;
    // Halide's / and % round toward -inf, so a negative ux is no hit; an
    // output position out of range reads the zero padding (clamped to one
    // past the end, so that the padded copy stays small).
    Expr hit = ux % strideX == 0 && uy % strideY == 0;
    Expr ox = select(strideX == 1, ux,
                     clamp(ux / strideX, -1, gradOut.dim(0).extent()));
    Expr oy = select(strideY == 1, uy,
                     clamp(uy / strideY, -1, gradOut.dim(1).extent()));
    Func grad = BoundaryConditions::constant_exterior(gradOut, zeroOf(t));
    // Channel tiles round up past the last channel (see Conv2dGenerator):
    // clamped reads, results never stored.
    Expr o = select(groups == 1, r.z,
                    min((c / inPerGroup) * outPerGroup + r.z, outChannels - 1));
    Func sum("sum");
    sum(x, y, c, n) = zeroOf(t);
    sum(x, y, c, n) +=
        select(hit, grad(ox, oy, o, n) * weight(r.x, r.y, c % inPerGroup, o),
               zeroOf(t));
    gradIn(x, y, c, n) = sum(x, y, c, n);

    Var xo("xo"), xi("xi"), co("co"), ci("ci"), tile("tile");
    gradIn.split(x, xo, xi, kLanes, TailStrategy::GuardWithIf)
        .split(c, co, ci, kChannelTile, TailStrategy::GuardWithIf)
        .reorder(xi, ci, xo, y, co, n)
        .vectorize(xi)
        .fuse(co, n, tile)
        .parallel(tile);
    sum.compute_at(gradIn, xo)
        .bound_extent(x, kLanes)
        .bound_extent(c, kChannelTile)
        .vectorize(x, kLanes, TailStrategy::RoundUp)
        .unroll(c, kChannelTile, TailStrategy::RoundUp);
    sum.update()
        .reorder(x, c, r.x, r.y, r.z, y, n)
        .vectorize(x, kLanes, TailStrategy::RoundUp)
        .unroll(c, kChannelTile, TailStrategy::RoundUp);
    // Unit strides and one group (the common case): dense loads, no
    // divisibility test, gradient vectors shared by the tile's channels.
    sum.update().specialize(strideX == 1 && strideY == 1 && groups == 1);
    computeOnce(grad);
  }
};

/// The gradient of conv2d with respect to its weight:
///   gradW(kx, ky, ci, o) = sum over (ox, oy, n) of gradOut(ox, oy, o, n) *
///     in(ox * sx - px + kx * dx, oy * sy - py + ky * dy, g * Cg + ci, n)
/// First per output column ox (vectorized along ox, accumulating in
/// registers over all rows), then over ox.
class Conv2dWeightGradGenerator : public Generator<Conv2dWeightGradGenerator> {
public:
  Input<Buffer<>> in{"in", 4};            // [N, C, H, W]
  Input<Buffer<>> gradOut{"grad_out", 4}; // [N, O, OH, OW]
  Input<int> strideX{"stride_x"}, strideY{"stride_y"};
  Input<int> paddingX{"padding_x"}, paddingY{"padding_y"};
  Input<int> dilationX{"dilation_x"}, dilationY{"dilation_y"};
  Input<int> groups{"groups"};
  Output<Buffer<>> gradWeight{"grad_weight", 4}; // [O, C / groups, kH, kW]

  void generate() {
    Var ox("ox"), kx("kx"), ky("ky"), ci("ci"), o("o");
    Type t = in.type();
    Func padded = BoundaryConditions::constant_exterior(in, zeroOf(t));
    // An output's sizes can be read once it has a definition.
    gradWeight(kx, ky, ci, o) = zeroOf(t);
    Expr inPerGroup = gradWeight.dim(2).extent();
    Expr outPerGroup = gradWeight.dim(3).extent() / groups;
    // Tiles of kTile input x kTile output channels round up past the last
    // ones: those read clamped channels or the gradient's zero padding and
    // are never stored.
    constexpr int kTile = 4;
    Expr channel = select(
        groups == 1, ci,
        clamp((o / outPerGroup) * inPerGroup + ci, 0, in.dim(2).extent() - 1));
    // Output columns are computed in whole vectors, past the last one: the
    // padded gradient is zero there.
    RDom rows(0, gradOut.dim(1).extent(), 0, gradOut.dim(3).extent(), "rows");
    Func grad = BoundaryConditions::constant_exterior(gradOut, zeroOf(t));
    Func partial("partial");
    partial(ox, kx, ky, ci, o) = zeroOf(t);
    partial(ox, kx, ky, ci, o) +=
        grad(ox, rows.x, o, rows.y) *
        padded(ox * strideX - paddingX + kx * dilationX,
               rows.x * strideY - paddingY + ky * dilationY, channel, rows.y);
    Func column("column");
    column(ox, kx, ky, ci, o) = partial(ox, kx, ky, ci, o);
    RDom columns(0, gradOut.dim(0).extent(), "columns");
    gradWeight(kx, ky, ci, o) += column(columns, kx, ky, ci, o);

    // Tiles of output channels in parallel. Within one, for each (kx, ky)
    // and kTile input channels, kTile x kTile vectors of column sums
    // accumulate over all rows in registers: each gradient vector loaded
    // serves kTile input channels and (with one group) each input vector
    // kTile output channels.
    Var oo("oo"), oi("oi");
    gradWeight.split(o, oo, oi, kTile, TailStrategy::GuardWithIf).parallel(oo);
    gradWeight.update()
        .split(o, oo, oi, kTile, TailStrategy::GuardWithIf)
        .parallel(oo);
    Var oxo("oxo"), oxi("oxi"), cio("cio"), cii("cii"), oTile("o_tile"),
        oInner("o_inner");
    column.compute_at(gradWeight, oo)
        .split(ox, oxo, oxi, kLanes, TailStrategy::RoundUp)
        .split(ci, cio, cii, kTile, TailStrategy::RoundUp)
        .split(o, oTile, oInner, kTile, TailStrategy::RoundUp)
        .reorder(oxi, cii, oInner, oxo, kx, ky, cio, oTile)
        .vectorize(oxi);
    partial.compute_at(column, oxo)
        .bound_extent(ox, kLanes)
        .bound_extent(ci, kTile)
        .bound_extent(o, kTile)
        .vectorize(ox)
        .unroll(ci)
        .unroll(o);
    partial.update()
        .reorder(ox, ci, o, rows.x, rows.y)
        .vectorize(ox)
        .unroll(ci)
        .unroll(o);
    // Unit stride: dense vector loads of the input; one group: input
    // vectors shared by the output channels.
    partial.update().specialize(strideX == 1 && groups == 1);
    computeOnce(padded);
    computeOnce(grad);
  }
};

/// Max pooling with PyTorch's argmax: indices(x, y, c, n) is the flat index
/// (iy * W + ix) in the input plane of the window's first maximum, scanning
/// rows then columns; a NaN wins over numbers (the last NaN is kept), and a
/// window of -inf points at its first in-bounds element. out is that
// maximum.
class MaxPool2dGenerator : public Generator<MaxPool2dGenerator> {
public:
  Input<Buffer<>> in{"in", 4}; // [N, C, H, W]
  Input<int> kernelX{"kernel_x"}, kernelY{"kernel_y"};
  Input<int> strideX{"stride_x"}, strideY{"stride_y"};
  Input<int> paddingX{"padding_x"}, paddingY{"padding_y"};
  Input<int> dilationX{"dilation_x"}, dilationY{"dilation_y"};
  Output<Buffer<int64_t>> indices{"indices", 4}; // [N, C, OH, OW]
  Output<Buffer<>> out{"out", 4};                // [N, C, OH, OW]

  void generate() {
    Var x("x"), y("y"), c("c"), n("n");
    Type t = in.type();
    Expr width = in.dim(0).extent(), height = in.dim(1).extent();
    Func padded = BoundaryConditions::constant_exterior(in, minusInfinity(t));
    Expr x0 = x * strideX - paddingX, y0 = y * strideY - paddingY;
    // The first in-bounds window position (PyTorch's starting index).
    auto firstInside = [](Expr start, Expr dilation) {
      return select(start < 0,
                    start + ((dilation - 1 - start) / dilation) * dilation,
                    start);
    };
    Expr first =
        cast<int64_t>(firstInside(y0, dilationY)) * cast<int64_t>(width) +
        cast<int64_t>(firstInside(x0, dilationX));
    RDom r(0, kernelX, 0, kernelY, "r");
    Expr ix = x0 + r.x * dilationX, iy = y0 + r.y * dilationY;
    Expr value = padded(ix, iy, c, n);
    // (index, maximum) in that order: Halide 14 stores a tuple update's
    // elements one after the other, and the later ones see the earlier
    // ones' new values, so the element the condition reads goes last.
    // Each output scans the window itself (cheaper than reading the other's
    // result back through its index).
    auto window = [&](const char *name) {
      Func best(name);
      best(x, y, c, n) = Tuple(first, minusInfinity(t));
      best(x, y, c, n) = tuple_select(
          value > best(x, y, c, n)[1] || is_nan(value),
          Tuple(cast<int64_t>(iy) * cast<int64_t>(width) + cast<int64_t>(ix),
                value),
          best(x, y, c, n));
      return best;
    };
    Func bestIndex = window("best_index"), bestValue = window("best_value");
    indices(x, y, c, n) = bestIndex(x, y, c, n)[0];
    out(x, y, c, n) = bestValue(x, y, c, n)[1];

    auto schedule = [&](Func output, Func best) {
      Var xo("xo"), xi("xi"), plane("plane");
      output.split(x, xo, xi, kLanes, TailStrategy::GuardWithIf)
          .vectorize(xi)
          .fuse(c, n, plane)
          .parallel(plane);
      best.compute_at(output, xo)
          .bound_extent(x, kLanes)
          .vectorize(x, kLanes, TailStrategy::RoundUp);
      best.update().vectorize(x, kLanes, TailStrategy::RoundUp);
      // Known strides turn the window's gathers into vector loads.
      best.update().specialize(strideX == 2);
      best.update().specialize(strideX == 1);
    };
    schedule(indices, bestIndex);
    schedule(out, bestValue);
    computeOnce(padded);
  }
};

/// The gradient of max pooling: each output's gradient added to the input
/// element its index names, in output order (as PyTorch does, so
/// overlapping windows sum in the same order).
class MaxPool2dGradGenerator : public Generator<MaxPool2dGradGenerator> {
public:
  Input<Buffer<>> gradOut{"grad_out", 4};       // [N, C, OH, OW]
  Input<Buffer<int64_t>> indices{"indices", 4}; // [N, C, OH, OW]
  Output<Buffer<>> gradIn{"grad_in", 4};        // [N, C, H, W]

  void generate() {
    Var x("x"), y("y"), c("c"), n("n");
    // An output's sizes can be read once it has a definition.
    gradIn(x, y, c, n) = zeroOf(gradOut.type());
    Expr width = gradIn.dim(0).extent(), height = gradIn.dim(1).extent();
    RDom r(0, gradOut.dim(0).extent(), 0, gradOut.dim(1).extent(), "r");
    Expr index = indices(r.x, r.y, c, n);
    Expr ix = clamp(cast<int>(index % cast<int64_t>(width)), 0, width - 1);
    Expr iy = clamp(cast<int>(index / cast<int64_t>(width)), 0, height - 1);
    gradIn(ix, iy, c, n) += gradOut(r.x, r.y, c, n);

    Var plane("plane");
    gradIn.fuse(c, n, plane)
        .parallel(plane)
        .vectorize(x, kLanes, TailStrategy::GuardWithIf);
    gradIn.update().fuse(c, n, plane).parallel(plane);
  }
};

/// PyTorch's divisor of the average-pooling window of output (x, y): the
/// window clipped to the padded input (count_include_pad) or to the input.
Expr averageDivisor(Expr x0, Expr y0, Expr kernelX, Expr kernelY, Expr paddingX,
                    Expr paddingY, Expr width, Expr height,
                    Expr countIncludePad) {
  Expr x1 = min(x0 + kernelX, width + paddingX);
  Expr y1 = min(y0 + kernelY, height + paddingY);
  Expr padded = (x1 - x0) * (y1 - y0);
  Expr inside = (min(x1, width) - max(x0, 0)) * (min(y1, height) - max(y0, 0));
  return select(countIncludePad, padded, inside);
}

/// Average pooling: the window's sum (padding reads zeros) over
/// averageDivisor.
class AvgPool2dGenerator : public Generator<AvgPool2dGenerator> {
public:
  Input<Buffer<>> in{"in", 4}; // [N, C, H, W]
  Input<int> kernelX{"kernel_x"}, kernelY{"kernel_y"};
  Input<int> strideX{"stride_x"}, strideY{"stride_y"};
  Input<int> paddingX{"padding_x"}, paddingY{"padding_y"};
  Input<bool> countIncludePad{"count_include_pad"};
  Output<Buffer<>> out{"out", 4}; // [N, C, OH, OW]

  void generate() {
    Var x("x"), y("y"), c("c"), n("n");
    Type t = in.type();
    Func padded = BoundaryConditions::constant_exterior(in, zeroOf(t));
    Expr x0 = x * strideX - paddingX, y0 = y * strideY - paddingY;
    RDom r(0, kernelX, 0, kernelY, "r");
    Func sum("sum");
    sum(x, y, c, n) = zeroOf(t);
    sum(x, y, c, n) += padded(x0 + r.x, y0 + r.y, c, n);
    Expr divisor =
        averageDivisor(x0, y0, kernelX, kernelY, paddingX, paddingY,
                       in.dim(0).extent(), in.dim(1).extent(), countIncludePad);
    out(x, y, c, n) = sum(x, y, c, n) / cast(t, divisor);

    Var xo("xo"), xi("xi"), plane("plane");
    out.split(x, xo, xi, kLanes, TailStrategy::GuardWithIf)
        .vectorize(xi)
        .fuse(c, n, plane)
        .parallel(plane);
    sum.compute_at(out, xo).vectorize(x, kLanes, TailStrategy::RoundUp);
    sum.update()
        .reorder(x, r.x, r.y)
        .vectorize(x, kLanes, TailStrategy::RoundUp);
  }
};

/// The gradient of average pooling, gathered: input (x, y) receives
/// gradOut / divisor of every window that covers it.
class AvgPool2dGradGenerator : public Generator<AvgPool2dGradGenerator> {
public:
  Input<Buffer<>> gradOut{"grad_out", 4}; // [N, C, OH, OW]
  Input<int> kernelX{"kernel_x"}, kernelY{"kernel_y"};
  Input<int> strideX{"stride_x"}, strideY{"stride_y"};
  Input<int> paddingX{"padding_x"}, paddingY{"padding_y"};
  Input<bool> countIncludePad{"count_include_pad"};
  Output<Buffer<>> gradIn{"grad_in", 4}; // [N, C, H, W]

  void generate() {
    Var x("x"), y("y"), c("c"), n("n");
    Type t = gradOut.type();
    Func grad = BoundaryConditions::constant_exterior(gradOut, zeroOf(t));
    // An output's sizes can be read once it has a definition.
    gradIn(x, y, c, n) = zeroOf(t);
    RDom r(0, kernelX, 0, kernelY, "r");
    Expr ux = x + paddingX - r.x, uy = y + paddingY - r.y;
    Expr ox = ux / strideX, oy = uy / strideY;
    Expr hit = ux % strideX == 0 && uy % strideY == 0 && ox >= 0 &&
               ox < gradOut.dim(0).extent() && oy >= 0 &&
               oy < gradOut.dim(1).extent();
    Expr divisor = averageDivisor(ox * strideX - paddingX,
                                  oy * strideY - paddingY, kernelX, kernelY,
                                  paddingX, paddingY, gradIn.dim(0).extent(),
                                  gradIn.dim(1).extent(), countIncludePad);
    // The divisor of a window that does not exist may be 0: select, so its
    // NaN never reaches the sum.
    gradIn(x, y, c, n) +=
        select(hit, grad(ox, oy, c, n) / cast(t, max(divisor, 1)), zeroOf(t));

    Var xo("xo"), xi("xi"), plane("plane");
    gradIn.split(x, xo, xi, kLanes, TailStrategy::GuardWithIf)
        .vectorize(xi)
        .fuse(c, n, plane)
        .parallel(plane);
    gradIn.update()
        .split(x, xo, xi, kLanes, TailStrategy::GuardWithIf)
        .reorder(xi, r.x, r.y, xo, y, c, n)
        .vectorize(xi)
        .fuse(c, n, plane)
        .parallel(plane);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(Conv2dGenerator, nnc_conv2d)
HALIDE_REGISTER_GENERATOR(Conv2dInputGradGenerator, nnc_conv2d_input_grad)
HALIDE_REGISTER_GENERATOR(Conv2dWeightGradGenerator, nnc_conv2d_weight_grad)
HALIDE_REGISTER_GENERATOR(MaxPool2dGenerator, nnc_max_pool2d)
HALIDE_REGISTER_GENERATOR(MaxPool2dGradGenerator, nnc_max_pool2d_grad)
HALIDE_REGISTER_GENERATOR(AvgPool2dGenerator, nnc_avg_pool2d)
HALIDE_REGISTER_GENERATOR(AvgPool2dGradGenerator, nnc_avg_pool2d_grad)
