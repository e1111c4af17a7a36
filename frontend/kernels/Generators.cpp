//===- frontend/kernels/Generators.cpp - Halide pipelines of eager ops ----===//
//
// The eager kernels, compiled ahead of time at build time (one
// add_halide_library per op, see CMakeLists.txt). Each algorithm is written
// once and kept straightforward: eager is the oracle the compiler is tested
// against. CPU schedules vectorize the innermost dim by 16 floats (one
// AVX-512 vector) and parallelize an outer loop; parallel loops run on the
// runtime's thread pool (Kernels.cpp installs halide_do_par_for).
//
// Halide dim 0 is the innermost (fastest-varying) dim, so a tensor of shape
// [d0, d1, d2, d3] is a Halide buffer with extents (d3, d2, d1, d0).
//
// Element types are generator parameters (`a.type=float64`, see
// CMakeLists.txt): the math generators are instantiated for float32 and
// float64, the copy generator once per element size. Constants are made in
// the element type (zero(), one()), so one algorithm serves every type.
//
//===----------------------------------------------------------------------===//
#include "Halide.h"

#include <limits>
#include <map>
#include <string>

using namespace Halide;

namespace {

constexpr int kLanes = 16; // floats per AVX-512 vector

enum class BinaryOp { Add, Sub, Mul, Div, Equal, ReluGrad };
enum class UnaryOp { Neg, Exp, Log, Tanh, Sigmoid, Relu, Sqrt, Copy };
enum class ReduceOp { Sum, Max, Min };

Expr constant(const Type &t, double value) { return cast(t, Expr(value)); }
Expr zero(const Type &t) { return constant(t, 0.0); }
Expr one(const Type &t) { return constant(t, 1.0); }

Expr applyBinary(BinaryOp op, Expr a, Expr b) {
  switch (op) {
  case BinaryOp::Add:
    return a + b;
  case BinaryOp::Sub:
    return a - b;
  case BinaryOp::Mul:
    return a * b;
  case BinaryOp::Div:
    return a / b;
  // Backward helpers: 1 where a == b (amax's gradient goes to the maxima),
  // and relu's gradient a where the result b is positive (PyTorch's
  // threshold_backward: exactly zero where b <= 0).
  case BinaryOp::Equal:
    return select(a == b, one(a.type()), zero(a.type()));
  case BinaryOp::ReluGrad:
    return select(b > zero(b.type()), a, zero(a.type()));
  }
  return Expr();
}

Expr applyUnary(UnaryOp op, Expr x) {
  // Halide's exp and log are polynomial approximations that assume finite
  // input; NaN (and log of a negative number) must give NaN, as in PyTorch.
  Type t = x.type();
  Expr nan = constant(t, std::numeric_limits<double>::quiet_NaN());
  switch (op) {
  case UnaryOp::Neg:
    return -x;
  case UnaryOp::Exp:
    return select(is_nan(x), x, exp(x));
  case UnaryOp::Log:
    return select(is_nan(x) || x < zero(t), nan, log(x));
  case UnaryOp::Tanh:
    return tanh(x);
  case UnaryOp::Sigmoid: {
    // exp of -|x| never overflows: 1 / (1 + e) for x >= 0, e / (1 + e)
    // for x < 0.
    Expr e = exp(-abs(x));
    return select(is_nan(x), x, select(x < zero(t), e, one(t)) / (one(t) + e));
  }
  case UnaryOp::Relu:
    // Not max(x, 0): relu(NaN) is NaN in PyTorch, and Halide's max does
    // not promise to propagate NaN.
    return select(x < zero(t), zero(t), x);
  case UnaryOp::Sqrt:
    return sqrt(x); // NaN below zero, as in PyTorch
  case UnaryOp::Copy:
    return x;
  }
  return Expr();
}

/// Dense rank-4 elementwise output: vectorize the innermost dim, cut it into
/// chunks so a large 1-D tensor still splits into parallel tasks, and run
/// the chunks of all outer dims as one parallel loop.
template <class OutputBuffer>
void scheduleElementwise(OutputBuffer &out, const Var &x, const Var &y,
                         const Var &z, const Var &w) {
  Var xo("xo"), xi("xi"), xy("xy"), xyz("xyz"), tile("tile");
  out.split(x, xo, xi, 64 * kLanes, TailStrategy::GuardWithIf)
      .vectorize(xi, kLanes, TailStrategy::GuardWithIf)
      .fuse(xo, y, xy)
      .fuse(xy, z, xyz)
      .fuse(xyz, w, tile)
      .parallel(tile);
}

/// Elementwise in and out of any strides (in-place ops write through a
/// transposed or sliced view): both dim-0 strides are free and the dense
/// case is specialized.
template <class InputBuffer, class OutputBuffer>
void scheduleStridedElementwise(InputBuffer &in, OutputBuffer &out,
                                const Var &x, const Var &y, const Var &z,
                                const Var &w) {
  in.dim(0).set_stride(Expr());
  out.dim(0).set_stride(Expr());
  scheduleElementwise(out, x, y, z, w);
  out.specialize(in.dim(0).stride() == 1 && out.dim(0).stride() == 1);
}

/// out = a (op) b on rank-4 strided inputs of the output's extents;
/// broadcast dims come in with stride 0, so dim 0 may have any stride.
class BinaryGenerator : public Generator<BinaryGenerator> {
public:
  GeneratorParam<BinaryOp> op{"op",
                              BinaryOp::Add,
                              {{"add", BinaryOp::Add},
                               {"sub", BinaryOp::Sub},
                               {"mul", BinaryOp::Mul},
                               {"div", BinaryOp::Div},
                               {"eq", BinaryOp::Equal},
                               {"relu_grad", BinaryOp::ReluGrad}}};
  Input<Buffer<>> a{"a", 4};
  Input<Buffer<>> b{"b", 4};
  Output<Buffer<>> out{"out", 4};

  void generate() {
    Var x("x"), y("y"), z("z"), w("w");
    out(x, y, z, w) = applyBinary(op, a(x, y, z, w), b(x, y, z, w));

    a.dim(0).set_stride(Expr());
    b.dim(0).set_stride(Expr());
    scheduleElementwise(out, x, y, z, w);
    // Dense inner dims (the common case) get plain vector loads.
    out.specialize(a.dim(0).stride() == 1 && b.dim(0).stride() == 1);
  }
};

/// out = op(in) on a rank-4 strided input; op=copy makes a view dense.
class UnaryGenerator : public Generator<UnaryGenerator> {
public:
  GeneratorParam<UnaryOp> op{"op",
                             UnaryOp::Copy,
                             {{"neg", UnaryOp::Neg},
                              {"exp", UnaryOp::Exp},
                              {"log", UnaryOp::Log},
                              {"tanh", UnaryOp::Tanh},
                              {"sigmoid", UnaryOp::Sigmoid},
                              {"relu", UnaryOp::Relu},
                              {"sqrt", UnaryOp::Sqrt},
                              {"copy", UnaryOp::Copy}}};
  Input<Buffer<>> in{"in", 4};
  Output<Buffer<>> out{"out", 4};

  void generate() {
    Var x("x"), y("y"), z("z"), w("w");
    out(x, y, z, w) = applyUnary(op, in(x, y, z, w));
    scheduleStridedElementwise(in, out, x, y, z, w);
  }
};

/// out = in ** exponent (libm's pow semantics: NaN for a negative base
/// and a non-integer exponent); the exponent is rounded to the element
/// type first.
class PowGenerator : public Generator<PowGenerator> {
public:
  Input<Buffer<>> in{"in", 4};
  Input<double> exponent{"exponent"};
  Output<Buffer<>> out{"out", 4};

  void generate() {
    Var x("x"), y("y"), z("z"), w("w");
    out(x, y, z, w) = pow(in(x, y, z, w), cast(in.type(), exponent));
    scheduleStridedElementwise(in, out, x, y, z, w);
  }
};

/// Copies elements between strided views, by their bits: instantiated
/// with unsigned types of each element size (8, 16 and 32 bits through
/// the `type` parameters; Halide has no parameter name for 64-bit types,
/// so Copy64Generator fixes that one), so any dtype's bits copy exactly.
class CopyGenerator : public Generator<CopyGenerator> {
public:
  Input<Buffer<>> in{"in", 4};
  Output<Buffer<>> out{"out", 4};

  void generate() {
    Var x("x"), y("y"), z("z"), w("w");
    out(x, y, z, w) = in(x, y, z, w);
    scheduleStridedElementwise(in, out, x, y, z, w);
  }
};

class Copy64Generator : public Generator<Copy64Generator> {
public:
  Input<Buffer<uint64_t>> in{"in", 4};
  Output<Buffer<uint64_t>> out{"out", 4};

  void generate() {
    Var x("x"), y("y"), z("z"), w("w");
    out(x, y, z, w) = in(x, y, z, w);
    scheduleStridedElementwise(in, out, x, y, z, w);
  }
};

/// out(r) = reduction of in(0..n-1, r): a 2-D view whose innermost dim is
/// the reduced one (the caller moves reduced dims innermost). Sum results
/// are multiplied by `scale` (1 for sum, 1/n for mean). Each row keeps 16
/// partial results (one vector) and combines them at the end, then the
/// tail that does not fill a vector.
class ReduceGenerator : public Generator<ReduceGenerator> {
public:
  GeneratorParam<ReduceOp> op{
      "op",
      ReduceOp::Sum,
      {{"sum", ReduceOp::Sum}, {"max", ReduceOp::Max}, {"min", ReduceOp::Min}}};
  Input<Buffer<>> in{"in", 2};
  Input<double> scale{"scale"};
  Output<Buffer<>> out{"out", 1};

  Expr identity() const {
    double infinity = std::numeric_limits<double>::infinity();
    switch (op) {
    case ReduceOp::Sum:
      return zero(in.type());
    case ReduceOp::Max:
      return constant(in.type(), -infinity);
    case ReduceOp::Min:
      return constant(in.type(), infinity);
    }
    return Expr();
  }
  // max and min propagate NaN, as PyTorch's do.
  Expr combine(Expr acc, Expr v) const {
    switch (op) {
    case ReduceOp::Sum:
      return acc + v;
    case ReduceOp::Max:
      return select(acc > v || is_nan(acc), acc, v);
    case ReduceOp::Min:
      return select(acc < v || is_nan(acc), acc, v);
    }
    return Expr();
  }

  void generate() {
    Var l("l"), r("r");
    Expr n = in.dim(0).extent();
    Expr vectors = n / kLanes;
    RDom overVectors(0, vectors, "overVectors");
    RDom overLanes(0, kLanes, "overLanes");
    RDom overTail(vectors * kLanes, n - vectors * kLanes, "overTail");

    Func lanes("lanes");
    lanes(l, r) = identity();
    lanes(l, r) = combine(lanes(l, r), in(overVectors * kLanes + l, r));
    Func total("total");
    total(r) = identity();
    total(r) = combine(total(r), lanes(overLanes, r));
    total(r) = combine(total(r), in(overTail, r));
    out(r) = op == ReduceOp::Sum ? total(r) * cast(in.type(), scale) : total(r);

    in.dim(0).set_stride(Expr());
    Var ro("ro"), ri("ri");
    out.split(r, ro, ri, 8, TailStrategy::GuardWithIf).parallel(ro);
    total.compute_at(out, ri);
    lanes.compute_at(out, ri).vectorize(l);
    lanes.update().vectorize(l);
  }
};

/// out(j, i) = sum_k a(k, i) * b(j, k): C[i][j] = sum_k A[i][k] * B[k][j]
/// for row-major A [M, K] (any strides), B [K, N] (unit stride along N) and
/// a dense C. Register tiles of 4 rows x 16 columns accumulate over K.
/// Large products get blocks of 64 rows x 256 columns in parallel, K walked
/// in slices of 256 so that the slice of B (256 x 256 floats) stays in L2;
/// small ones (an MLP layer) keep the unblocked loop, whose tails are
/// cheaper there.
class MatMulGenerator : public Generator<MatMulGenerator> {
public:
  Input<Buffer<>> a{"a", 2};
  Input<Buffer<>> b{"b", 2};
  Output<Buffer<>> out{"out", 2};

  void generate() {
    Var j("j"), i("i");
    RDom k(0, a.dim(0).extent(), "k");
    out(j, i) = zero(a.type());
    out(j, i) += a(k, i) * b(j, k);

    a.dim(0).set_stride(Expr());
    Var jo("jo"), ji("ji");
    out.split(j, jo, ji, kLanes, TailStrategy::GuardWithIf)
        .vectorize(ji)
        .parallel(i);

    constexpr int kRowBlock = 64, kColumnBlock = 256, kDepthSlice = 256;
    constexpr int kTileRows = 4;
    Var jb("jb"), jr("jr"), ib("ib"), ir("ir"), io("io"), ii("ii"),
        block("block");
    RVar ko("ko"), ki("ki");
    Expr large = a.dim(0).extent() >= 2 * kDepthSlice &&
                 out.dim(0).extent() >= 2 * kColumnBlock &&
                 out.dim(1).extent() >= kRowBlock;
    out.update()
        .specialize(large)
        .split(k, ko, ki, kDepthSlice, TailStrategy::GuardWithIf)
        .split(j, jb, jr, kColumnBlock, TailStrategy::GuardWithIf)
        .split(jr, jo, ji, kLanes, TailStrategy::GuardWithIf)
        .split(i, ib, ir, kRowBlock, TailStrategy::GuardWithIf)
        .split(ir, io, ii, kTileRows, TailStrategy::GuardWithIf)
        .reorder(ji, ii, ki, jo, io, ko, jb, ib)
        .vectorize(ji)
        .unroll(ii)
        .fuse(jb, ib, block)
        .parallel(block);
    out.update()
        .split(j, jo, ji, kLanes, TailStrategy::GuardWithIf)
        .split(i, io, ii, kTileRows, TailStrategy::GuardWithIf)
        .reorder(ji, ii, k, jo, io)
        .vectorize(ji)
        .unroll(ii)
        .parallel(io);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(BinaryGenerator, nnc_binary)
HALIDE_REGISTER_GENERATOR(UnaryGenerator, nnc_unary)
HALIDE_REGISTER_GENERATOR(PowGenerator, nnc_pow)
HALIDE_REGISTER_GENERATOR(CopyGenerator, nnc_copy)
HALIDE_REGISTER_GENERATOR(Copy64Generator, nnc_copy64)
HALIDE_REGISTER_GENERATOR(ReduceGenerator, nnc_reduce)
HALIDE_REGISTER_GENERATOR(MatMulGenerator, nnc_matmul)
