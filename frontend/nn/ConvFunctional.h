//===- frontend/nn/ConvFunctional.h - Convolution and pooling ---*- C++ -*-===//
//
// torch.nn.functional's 2-D window ops on NCHW tensors (or unbatched CHW),
// float32 or float64, with PyTorch's argument order, defaults, output sizes
// and error messages. Each is one traced op with its own backward.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_CONVFUNCTIONAL_H
#define NNC_FRONTEND_NN_CONVFUNCTIONAL_H

#include "frontend/Tensor.h"

#include <array>
#include <initializer_list>
#include <tuple>

namespace nnc {

/// As torch::ExpandingArray<D>: D sizes, given as one number for all dims
/// (`3`), a list of one (`{3}`) or a list of D (`{3, 5}`). A default
/// constructed or `{}` one is empty, which pooling's stride reads as "the
/// kernel size" (PyTorch's stride=None).
template <size_t D> class ExpandingArray {
public:
  ExpandingArray() = default;
  ExpandingArray(int64_t value) : empty_(false) { values_.fill(value); }
  ExpandingArray(std::initializer_list<int64_t> values)
      : ExpandingArray(IntList(values)) {}
  ExpandingArray(const IntList &values) {
    if (values.empty())
      return;
    if (values.size() != 1 && values.size() != D)
      throw Error("expected a single integer value or a list of " +
                  std::to_string(D) + " values, got " + shapeToString(values));
    empty_ = false;
    for (size_t d = 0; d < D; ++d)
      values_[d] = values[values.size() == 1 ? 0 : d];
  }

  bool empty() const { return empty_; }
  int64_t operator[](size_t d) const { return values_[d]; }
  const std::array<int64_t, D> &operator*() const { return values_; }
  IntList vec() const { return IntList(values_.begin(), values_.end()); }

private:
  std::array<int64_t, D> values_{};
  bool empty_ = true;
};

namespace enumtype {
struct kSame {};
struct kValid {};
} // namespace enumtype
/// Conv padding modes, as torch::kSame / torch::kValid.
inline constexpr enumtype::kSame kSame{};
inline constexpr enumtype::kValid kValid{};

namespace nn {

/// A convolution's padding: sizes per dim (as ExpandingArray<2>), kValid
/// (none) or kSame (output as large as the input; stride 1 only).
class Conv2dPadding {
public:
  Conv2dPadding(int64_t value) : sizes_(value) {}
  Conv2dPadding(std::initializer_list<int64_t> values) : sizes_(values) {}
  Conv2dPadding(const ExpandingArray<2> &sizes) : sizes_(sizes) {}
  Conv2dPadding(enumtype::kValid) : sizes_(0) {}
  Conv2dPadding(enumtype::kSame) : same_(true) {}

  bool same() const { return same_; }
  /// The sizes; empty for kSame.
  const ExpandingArray<2> &sizes() const { return sizes_; }

private:
  ExpandingArray<2> sizes_;
  bool same_ = false;
};

namespace functional {

/// 2-D convolution (cross-correlation, as PyTorch's): input [N, C, H, W]
/// or [C, H, W], weight [O, C / groups, kH, kW], bias [O] (or undefined);
/// the result is [N, O, OH, OW] with OH = (H + 2 pH - dH (kH - 1) - 1) / sH
/// + 1 (likewise OW).
Tensor conv2d(const Tensor &input, const Tensor &weight,
              const Tensor &bias = {}, ExpandingArray<2> stride = 1,
              Conv2dPadding padding = 0, ExpandingArray<2> dilation = 1,
              int64_t groups = 1);

/// Max pooling; padding reads as -inf. `stride` empty means kernel_size.
Tensor max_pool2d(const Tensor &input, ExpandingArray<2> kernel_size,
                  ExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0,
                  ExpandingArray<2> dilation = 1, bool ceil_mode = false);
/// max_pool2d and the flat index (h * W + w) in the input plane of each
/// maximum (int64), as torch.nn.functional.max_pool2d_with_indices.
std::tuple<Tensor, Tensor>
max_pool2d_with_indices(const Tensor &input, ExpandingArray<2> kernel_size,
                        ExpandingArray<2> stride = {},
                        ExpandingArray<2> padding = 0,
                        ExpandingArray<2> dilation = 1, bool ceil_mode = false);

/// Average pooling; padding reads as zeros, and counts in the divisor when
/// count_include_pad. `stride` empty means kernel_size.
Tensor avg_pool2d(const Tensor &input, ExpandingArray<2> kernel_size,
                  ExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);

/// Average pooling to `output_size` [OH, OW]: output row i averages input
/// rows floor(i H / OH) to ceil((i + 1) H / OH) (likewise columns).
Tensor adaptive_avg_pool2d(const Tensor &input, ExpandingArray<2> output_size);

} // namespace functional
} // namespace nn
} // namespace nnc

#endif // NNC_FRONTEND_NN_CONVFUNCTIONAL_H
