//===- frontend/nn/Embedding.h - nn::Embedding ------------------*- C++ -*-===//
//
// As torch::nn::Embedding and F::embedding: a lookup table of
// num_embeddings rows of embedding_dim, composed of index_select (so it
// traces and compiles with no op of its own).
//
// max_norm and scale_grad_by_freq change what the weight's gradient is in
// ways a traced graph cannot express: max_norm renormalizes weight in place
// outside autograd (PyTorch's embedding_renorm_ under no_grad), and
// scale_grad_by_freq is a backward of its own; a traced graph has neither a
// stop-gradient nor custom backwards, so nn-autodiff would differentiate
// something else. Tracing them while weight requires grad (as in
// compile_step) is therefore an error; with a weight that does not
// (from_pretrained's freeze, or requires_grad_(false)) they trace for
// inference, max_norm's renorm as an in-place update of weight that the
// compiled code performs on each call. sparse(true) is an error: nnc has no
// sparse tensors, so no sparse gradients.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_EMBEDDING_H
#define NNC_FRONTEND_NN_EMBEDDING_H

#include "frontend/nn/Module.h"

#include <optional>

namespace nnc::nn {

/// As torch::nn::EmbeddingOptions: `EmbeddingOptions(10, 4).padding_idx(0)`.
///   - max_norm: before each lookup, every row the input refers to whose
///     norm_type-norm exceeds max_norm is scaled in place (without
///     autograd) by max_norm / (norm + 1e-7), as PyTorch's
///     embedding_renorm_; norm_type is a positive p or infinity.
///   - scale_grad_by_freq: each entry's gradient to weight is divided by
///     how often its index occurs in the input.
///   - sparse: must stay false (an nnc::Error otherwise): nnc has no sparse
///     tensors, so no sparse gradients.
class EmbeddingOptions {
public:
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : numEmbeddings_(num_embeddings), embeddingDim_(embedding_dim) {}
  EmbeddingOptions &padding_idx(std::optional<int64_t> value) {
    paddingIdx_ = value;
    return *this;
  }
  EmbeddingOptions &max_norm(std::optional<double> value) {
    maxNorm_ = value;
    return *this;
  }
  EmbeddingOptions &norm_type(double value) {
    normType_ = value;
    return *this;
  }
  EmbeddingOptions &scale_grad_by_freq(bool value) {
    scaleGradByFreq_ = value;
    return *this;
  }
  EmbeddingOptions &sparse(bool value) {
    sparse_ = value;
    return *this;
  }
  /// Initial weight [num_embeddings, embedding_dim] used as is (what
  /// from_pretrained passes); default: drawn from N(0, 1).
  EmbeddingOptions &_weight(const Tensor &value) {
    weight_ = value;
    return *this;
  }
  int64_t num_embeddings() const { return numEmbeddings_; }
  int64_t embedding_dim() const { return embeddingDim_; }
  std::optional<int64_t> padding_idx() const { return paddingIdx_; }
  std::optional<double> max_norm() const { return maxNorm_; }
  double norm_type() const { return normType_; }
  bool scale_grad_by_freq() const { return scaleGradByFreq_; }
  bool sparse() const { return sparse_; }
  const Tensor &_weight() const { return weight_; }

private:
  int64_t numEmbeddings_;
  int64_t embeddingDim_;
  std::optional<int64_t> paddingIdx_;
  std::optional<double> maxNorm_;
  double normType_ = 2;
  bool scaleGradByFreq_ = false;
  bool sparse_ = false;
  Tensor weight_;
};

/// As torch::nn::EmbeddingFromPretrainedOptions.
class EmbeddingFromPretrainedOptions {
public:
  EmbeddingFromPretrainedOptions &freeze(bool value) {
    freeze_ = value;
    return *this;
  }
  EmbeddingFromPretrainedOptions &padding_idx(std::optional<int64_t> value) {
    paddingIdx_ = value;
    return *this;
  }
  EmbeddingFromPretrainedOptions &max_norm(std::optional<double> value) {
    maxNorm_ = value;
    return *this;
  }
  EmbeddingFromPretrainedOptions &norm_type(double value) {
    normType_ = value;
    return *this;
  }
  EmbeddingFromPretrainedOptions &scale_grad_by_freq(bool value) {
    scaleGradByFreq_ = value;
    return *this;
  }
  EmbeddingFromPretrainedOptions &sparse(bool value) {
    sparse_ = value;
    return *this;
  }
  bool freeze() const { return freeze_; }
  std::optional<int64_t> padding_idx() const { return paddingIdx_; }
  std::optional<double> max_norm() const { return maxNorm_; }
  double norm_type() const { return normType_; }
  bool scale_grad_by_freq() const { return scaleGradByFreq_; }
  bool sparse() const { return sparse_; }

private:
  bool freeze_ = true;
  std::optional<int64_t> paddingIdx_;
  std::optional<double> maxNorm_;
  double normType_ = 2;
  bool scaleGradByFreq_ = false;
  bool sparse_ = false;
};

namespace functional {

/// As torch::nn::functional::EmbeddingFuncOptions (the fields are
/// EmbeddingOptions').
class EmbeddingFuncOptions {
public:
  EmbeddingFuncOptions &padding_idx(std::optional<int64_t> value) {
    paddingIdx_ = value;
    return *this;
  }
  EmbeddingFuncOptions &max_norm(std::optional<double> value) {
    maxNorm_ = value;
    return *this;
  }
  EmbeddingFuncOptions &norm_type(double value) {
    normType_ = value;
    return *this;
  }
  EmbeddingFuncOptions &scale_grad_by_freq(bool value) {
    scaleGradByFreq_ = value;
    return *this;
  }
  EmbeddingFuncOptions &sparse(bool value) {
    sparse_ = value;
    return *this;
  }
  std::optional<int64_t> padding_idx() const { return paddingIdx_; }
  std::optional<double> max_norm() const { return maxNorm_; }
  double norm_type() const { return normType_; }
  bool scale_grad_by_freq() const { return scaleGradByFreq_; }
  bool sparse() const { return sparse_; }

private:
  std::optional<int64_t> paddingIdx_;
  std::optional<double> maxNorm_;
  double normType_ = 2;
  bool scaleGradByFreq_ = false;
  bool sparse_ = false;
};

/// The rows `input` (Long or Int indices of any shape, each in
/// [0, num_embeddings)) of `weight` [num_embeddings, embedding_dim]; the
/// result has shape input.sizes() + [embedding_dim]. Entries equal to
/// padding_idx (negative counts from the end) pass no gradient to weight.
/// A nonzero padding row is read at call time: a traced graph holds the
/// value it had when traced. max_norm writes into `weight` (see
/// EmbeddingOptions); max_norm and scale_grad_by_freq trace only while
/// weight does not require grad, and sparse is an error (see the file comment).
Tensor embedding(const Tensor &input, const Tensor &weight,
                 const EmbeddingFuncOptions &options = {});

} // namespace functional

/// An embedding table `weight` [num_embeddings, embedding_dim] drawn from
/// N(0, 1), as PyTorch initializes it, with the padding_idx row zeroed.
class EmbeddingImpl : public Module {
public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions &options);

  /// Re-draws weight from N(0, 1) and zeroes the padding row.
  void reset_parameters();
  Tensor forward(const Tensor &input);

  EmbeddingOptions options;
  Tensor weight;
};

/// The holder, with libtorch's Embedding::from_pretrained.
class Embedding : public ModuleHolder<EmbeddingImpl> {
public:
  using ModuleHolder<EmbeddingImpl>::ModuleHolder;
  /// An Embedding whose weight is a copy of `embeddings` [num, dim]; with
  /// freeze (the default) the weight does not require grad.
  static Embedding
  from_pretrained(const Tensor &embeddings,
                  const EmbeddingFromPretrainedOptions &options = {});
};

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_EMBEDDING_H
