//===- frontend/kernels/ConvKernels.h - Conv and pooling --------*- C++ -*-===//
//
// The eager ops' view of the 2-D window kernels (ConvGenerators.cpp): dense
// NCHW tensors as raw pointers with their sizes. The caller checks the
// arguments and computes the output's size (PyTorch's rules, ceil_mode
// included); these functions only compute. `type` is kFloat32 or kFloat64.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_KERNELS_CONVKERNELS_H
#define NNC_FRONTEND_KERNELS_CONVKERNELS_H

#include "frontend/ScalarType.h"

#include <array>
#include <cstdint>

namespace nnc::kernels {

/// Sizes of a dense 4-D tensor: [N, C, H, W] or a weight [O, C/g, kH, kW].
using Sizes4 = std::array<int64_t, 4>;

/// Window geometry, each as {along H, along W}.
struct Window2d {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> padding{0, 0};
  std::array<int64_t, 2> dilation{1, 1};
};

/// out [N, O, OH, OW] = conv2d(in [N, C, H, W], weight [O, C/groups, kH,
/// kW]) + bias [O] (null: no bias). window.kernel is not read (the weight's
/// size is the kernel).
void conv2d(ScalarType type, const Sizes4 &inSizes, const void *in,
            const Sizes4 &weightSizes, const void *weight, const void *bias,
            const Window2d &window, int64_t groups, const Sizes4 &outSizes,
            void *out);

/// gradIn [N, C, H, W] of conv2d from gradOut [N, O, OH, OW].
void conv2dInputGrad(ScalarType type, const Sizes4 &gradOutSizes,
                     const void *gradOut, const Sizes4 &weightSizes,
                     const void *weight, const Window2d &window, int64_t groups,
                     const Sizes4 &gradInSizes, void *gradIn);

/// gradWeight [O, C/groups, kH, kW] of conv2d from its input and gradOut.
void conv2dWeightGrad(ScalarType type, const Sizes4 &inSizes, const void *in,
                      const Sizes4 &gradOutSizes, const void *gradOut,
                      const Window2d &window, int64_t groups,
                      const Sizes4 &gradWeightSizes, void *gradWeight);

/// out and indices [N, C, OH, OW]: each window's maximum and its flat index
/// (h * W + w) in the input plane, as PyTorch's max_pool2d_with_indices.
void maxPool2d(ScalarType type, const Sizes4 &inSizes, const void *in,
               const Window2d &window, const Sizes4 &outSizes, void *out,
               int64_t *indices);

/// gradIn [N, C, H, W]: gradOut added at the positions `indices` name.
void maxPool2dGrad(ScalarType type, const Sizes4 &gradOutSizes,
                   const void *gradOut, const int64_t *indices,
                   const Sizes4 &gradInSizes, void *gradIn);

/// out [N, C, OH, OW]: window means (window.dilation is not read).
void avgPool2d(ScalarType type, const Sizes4 &inSizes, const void *in,
               const Window2d &window, bool countIncludePad,
               const Sizes4 &outSizes, void *out);

/// gradIn [N, C, H, W] of avgPool2d.
void avgPool2dGrad(ScalarType type, const Sizes4 &gradOutSizes,
                   const void *gradOut, const Window2d &window,
                   bool countIncludePad, const Sizes4 &gradInSizes,
                   void *gradIn);

/// out [N, C, OH, OW]: the mean of rows floor(i * H / OH) to
/// ceil((i + 1) * H / OH) and likewise of columns (PyTorch's adaptive
/// windows). Plain C++ loops, parallel over planes: the windows' sizes
/// vary, which Halide's fixed reduction domains do not express directly.
void adaptiveAvgPool2d(ScalarType type, const Sizes4 &inSizes, const void *in,
                       const Sizes4 &outSizes, void *out);

/// gradIn [N, C, H, W] of adaptiveAvgPool2d.
void adaptiveAvgPool2dGrad(ScalarType type, const Sizes4 &gradOutSizes,
                           const void *gradOut, const Sizes4 &gradInSizes,
                           void *gradIn);

} // namespace nnc::kernels

#endif // NNC_FRONTEND_KERNELS_CONVKERNELS_H
