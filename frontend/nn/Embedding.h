//===- frontend/nn/Embedding.h - nn::Embedding ------------------*- C++ -*-===//
//
// As torch::nn::Embedding and F::embedding: a lookup table of
// num_embeddings rows of embedding_dim, composed of index_select (so it
// traces and compiles with no op of its own).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_EMBEDDING_H
#define NNC_FRONTEND_NN_EMBEDDING_H

#include "frontend/nn/Module.h"

#include <optional>

namespace nnc::nn {

/// As torch::nn::EmbeddingOptions: `EmbeddingOptions(10, 4).padding_idx(0)`.
class EmbeddingOptions {
public:
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : numEmbeddings_(num_embeddings), embeddingDim_(embedding_dim) {}
  EmbeddingOptions &padding_idx(std::optional<int64_t> value) {
    paddingIdx_ = value;
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
  const Tensor &_weight() const { return weight_; }

private:
  int64_t numEmbeddings_;
  int64_t embeddingDim_;
  std::optional<int64_t> paddingIdx_;
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
  bool freeze() const { return freeze_; }
  std::optional<int64_t> padding_idx() const { return paddingIdx_; }

private:
  bool freeze_ = true;
  std::optional<int64_t> paddingIdx_;
};

namespace functional {

/// As torch::nn::functional::EmbeddingFuncOptions.
class EmbeddingFuncOptions {
public:
  EmbeddingFuncOptions &padding_idx(std::optional<int64_t> value) {
    paddingIdx_ = value;
    return *this;
  }
  std::optional<int64_t> padding_idx() const { return paddingIdx_; }

private:
  std::optional<int64_t> paddingIdx_;
};

/// The rows `input` (Long or Int indices of any shape, each in
/// [0, num_embeddings)) of `weight` [num_embeddings, embedding_dim]; the
/// result has shape input.sizes() + [embedding_dim]. Entries equal to
/// padding_idx (negative counts from the end) pass no gradient to weight.
/// A nonzero padding row is read at call time: a traced graph holds the
/// value it had when traced.
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
