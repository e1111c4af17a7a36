// RUN: nnc-opt %s -split-input-file -verify-diagnostics

// Shape and dtype errors are diagnostics at the op that name what is wrong.

// Non-broadcastable shapes: trailing dims 3 and 4 differ.
func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'nn.add' op operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' are not broadcastable (dim -1 from the end differs)}}
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<4xf32>
  return
}

// -----

// The mismatch may be in a leading dim.
func.func @mul_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<5x1xf32>) {
  // expected-error @+1 {{'nn.mul' op operand shapes 'tensor<2x3xf32>' and 'tensor<5x1xf32>' are not broadcastable (dim -2 from the end differs)}}
  %0 = nn.mul %a, %b : tensor<2x3xf32>, tensor<5x1xf32>
  return
}

// -----

func.func @sub_mismatched_element_types(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'nn.sub' op operand element types must match, got 'f32' and 'f64'}}
  %0 = nn.sub %a, %b : tensor<3xf32>, tensor<3xf64>
  return
}

// -----

func.func @div_integer(%a: tensor<3xi32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'nn.div' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<3xi32>'}}
  %0 = nn.div %a, %b : tensor<3xi32>, tensor<3xi32>
  return
}

// -----

func.func @exp_integer(%a: tensor<3xi32>) {
  // expected-error @+1 {{'nn.exp' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<3xi32>'}}
  %0 = nn.exp %a : tensor<3xi32>
  return
}

// -----

// The custom syntax only admits ranked tensors; the generic form reaches
// the verifier.
func.func @relu_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'nn.relu' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<*xf32>'}}
  %0 = "nn.relu"(%a) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @matmul_inner_dims(%a: tensor<4x3xf32>, %b: tensor<5x2xf32>) {
  // expected-error @+1 {{'nn.matmul' op inner dims do not match: lhs 'tensor<4x3xf32>' has 3 columns but rhs 'tensor<5x2xf32>' has 5 rows}}
  %0 = nn.matmul %a, %b : tensor<4x3xf32>, tensor<5x2xf32>
  return
}

// -----

func.func @matmul_batch_dims(%a: tensor<2x4x3xf32>, %b: tensor<5x3x2xf32>) {
  // expected-error @+1 {{'nn.matmul' op batch dims of 'tensor<2x4x3xf32>' and 'tensor<5x3x2xf32>' are not broadcastable}}
  %0 = nn.matmul %a, %b : tensor<2x4x3xf32>, tensor<5x3x2xf32>
  return
}

// -----

// torch.matmul has no rank-0 case.
func.func @matmul_rank0(%a: tensor<f32>, %b: tensor<3x2xf32>) {
  // expected-error @+1 {{'nn.matmul' op expects operands of rank >= 1, got 'tensor<f32>' and 'tensor<3x2xf32>'}}
  %0 = nn.matmul %a, %b : tensor<f32>, tensor<3x2xf32>
  return
}

// -----

// A vector lhs is a row: its length must match the rows of rhs.
func.func @matmul_vector_inner_dims(%a: tensor<4xf32>, %b: tensor<3x2xf32>) {
  // expected-error @+1 {{'nn.matmul' op inner dims do not match: lhs 'tensor<4xf32>' has 4 columns but rhs 'tensor<3x2xf32>' has 3 rows}}
  %0 = nn.matmul %a, %b : tensor<4xf32>, tensor<3x2xf32>
  return
}

// -----

func.func @matmul_mismatched_element_types(%a: tensor<4x3xf32>, %b: tensor<3x2xf16>) {
  // expected-error @+1 {{'nn.matmul' op operand element types must match, got 'f32' and 'f16'}}
  %0 = nn.matmul %a, %b : tensor<4x3xf32>, tensor<3x2xf16>
  return
}

// -----

func.func @reshape_element_count(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.reshape' op element counts differ: 'tensor<2x3xf32>' has 6 elements but 'tensor<7xf32>' has 7}}
  %0 = nn.reshape %a : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

func.func @reshape_element_type(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot change the element type: 'tensor<2x3xf32>' -> 'tensor<6xf16>'}}
  %0 = nn.reshape %a : tensor<2x3xf32> -> tensor<6xf16>
  return
}

// -----

func.func @reshape_static_to_dynamic(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape 'tensor<2x3xf32>' to 'tensor<?x3xf32>': a dynamic dim must appear on both sides or on neither}}
  %0 = nn.reshape %a : tensor<2x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @reshape_two_dynamic_dims(%a: tensor<?x?xf32>) {
  // expected-error @+1 {{'nn.reshape' op supports at most one dynamic dim per side, got 'tensor<?x?xf32>' -> 'tensor<?xf32>'}}
  %0 = nn.reshape %a : tensor<?x?xf32> -> tensor<?xf32>
  return
}

// -----

func.func @sum_dim_out_of_range(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.sum' op dim 2 in dims [0, 2] is out of range for 'tensor<4x3xf32>' (rank 2)}}
  %0 = nn.sum %a dims = [0, 2] : tensor<4x3xf32>
  return
}

// -----

func.func @mean_negative_dim(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.mean' op dim -1 in dims [-1] is out of range for 'tensor<4x3xf32>' (rank 2)}}
  %0 = nn.mean %a dims = [-1] : tensor<4x3xf32>
  return
}

// -----

func.func @max_dims_unsorted(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.max' op dims [1, 0] must be sorted and unique}}
  %0 = nn.max %a dims = [1, 0] : tensor<4x3xf32>
  return
}

// -----

func.func @sum_dims_repeated(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.sum' op dims [1, 1] must be sorted and unique}}
  %0 = nn.sum %a dims = [1, 1] keepdim : tensor<4x3xf32>
  return
}

// -----

// The mean is defined on floats only (PyTorch too rejects an integer mean).
func.func @mean_integer(%a: tensor<4xi64>) {
  // expected-error @+1 {{'nn.mean' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi64>'}}
  %0 = nn.mean %a dims = [0] : tensor<4xi64>
  return
}

// -----

// Sums take numbers; a bool mask is converted first (as PyTorch promotes it).
func.func @sum_bool(%a: tensor<4xi1>) {
  // expected-error @+1 {{'nn.sum' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 64-bit signless integer or 32-bit signless integer or 8-bit unsigned integer values, but got 'tensor<4xi1>'}}
  %0 = nn.sum %a dims = [0] : tensor<4xi1>
  return
}

// -----

func.func @transpose_dim_out_of_range(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.transpose' op dim1 = 2 is out of range for 'tensor<4x3xf32>' (rank 2)}}
  %0 = nn.transpose %a, dim0 = 0, dim1 = 2 : tensor<4x3xf32>
  return
}

// -----

func.func @transpose_negative_dim(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.transpose' op dim0 = -1 is out of range for 'tensor<4x3xf32>' (rank 2)}}
  %0 = nn.transpose %a, dim0 = -1, dim1 = 0 : tensor<4x3xf32>
  return
}

// -----

// The generic form spells the result type; a wrong one is caught by the
// inferred-type check.
func.func @add_wrong_result_type(%a: tensor<4x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.add' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = "nn.add"(%a, %b) : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @constant_not_tensor() {
  // expected-error @+1 {{'nn.constant' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 64-bit signless integer or 32-bit signless integer or 8-bit unsigned integer or 1-bit signless integer values, but got 'vector<2xf32>'}}
  %0 = nn.constant dense<[1.0, 2.0]> : vector<2xf32>
  return
}

// -----

func.func @constant_unsupported_dtype() {
  // expected-error @+1 {{'nn.constant' op result #0 must be ranked tensor}}
  %0 = nn.constant dense<[1, 2]> : tensor<2xi8>
  return
}

// -----

func.func @softmax_dim_out_of_range(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.softmax' op dim = 2 is out of range for 'tensor<4x3xf32>' (rank 2)}}
  %0 = nn.softmax %x dim = 2 : tensor<4x3xf32>
  return
}

// -----

func.func @log_softmax_integer(%x: tensor<4x3xi64>) {
  // expected-error @+1 {{'nn.log_softmax' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x3xi64>'}}
  %0 = nn.log_softmax %x dim = 1 : tensor<4x3xi64>
  return
}

// -----

func.func @pow_integer(%x: tensor<3xi32>) {
  // expected-error @+1 {{'nn.pow' op operand #0 must be ranked tensor of 16-bit float}}
  %0 = nn.pow %x, exponent = 2.0 : tensor<3xi32>
  return
}

// -----

func.func @sqrt_integer(%x: tensor<3xi64>) {
  // expected-error @+1 {{'nn.sqrt' op operand #0 must be ranked tensor of 16-bit float}}
  %0 = nn.sqrt %x : tensor<3xi64>
  return
}

// -----

func.func @cross_entropy_rows_differ(%logits: tensor<4x10xf32>, %target: tensor<5xi64>) {
  // expected-error @+1 {{'nn.cross_entropy' op logits 'tensor<4x10xf32>' have 4 rows but target 'tensor<5xi64>' has 5 class indices}}
  %0 = nn.cross_entropy %logits, %target reduction = mean : tensor<4x10xf32>, tensor<5xi64>
  return
}

// -----

func.func @cross_entropy_logits_rank(%logits: tensor<10xf32>, %target: tensor<1xi64>) {
  // expected-error @+1 {{'nn.cross_entropy' op expects logits of shape [N, C], got 'tensor<10xf32>'}}
  %0 = nn.cross_entropy %logits, %target reduction = sum : tensor<10xf32>, tensor<1xi64>
  return
}

// -----

func.func @cross_entropy_float_target(%logits: tensor<4x10xf32>, %target: tensor<4xf32>) {
  // expected-error @+1 {{'nn.cross_entropy' op expects a target of class indices of shape [N] and type i64, got 'tensor<4xf32>'}}
  %0 = nn.cross_entropy %logits, %target reduction = mean : tensor<4x10xf32>, tensor<4xf32>
  return
}

// -----

func.func @cross_entropy_bad_reduction(%logits: tensor<4x10xf32>, %target: tensor<4xi64>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'reduction' [none, mean, sum]}}
  %0 = nn.cross_entropy %logits, %target reduction = average : tensor<4x10xf32>, tensor<4xi64>
  return
}

// -----

func.func @mse_loss_shapes_differ(%a: tensor<4x1xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'nn.mse_loss' op input and target shapes must match, got 'tensor<4x1xf32>' and 'tensor<4xf32>'}}
  %0 = nn.mse_loss %a, %b reduction = mean : tensor<4x1xf32>, tensor<4xf32>
  return
}

// -----

func.func @mse_loss_element_types_differ(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'nn.mse_loss' op operand element types must match, got 'f32' and 'f64'}}
  %0 = nn.mse_loss %a, %b reduction = mean : tensor<4xf32>, tensor<4xf64>
  return
}

// -----

func.func @broadcast_to_incompatible(%a: tensor<2x3xf32>, %like: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.broadcast_to' op cannot broadcast 'tensor<2x3xf32>' to the shape of 'tensor<4x3xf32>'}}
  %0 = nn.broadcast_to %a like %like : tensor<2x3xf32>, tensor<4x3xf32>
  return
}

// -----

func.func @broadcast_to_higher_rank(%a: tensor<2x3xf32>, %like: tensor<3xf32>) {
  // expected-error @+1 {{'nn.broadcast_to' op cannot broadcast 'tensor<2x3xf32>' to the shape of 'tensor<3xf32>'}}
  %0 = nn.broadcast_to %a like %like : tensor<2x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @relu_grad_types_differ(%g: tensor<4xf32>, %x: tensor<3xf32>) {
  // expected-error @+1 {{'nn.relu_grad' op requires the same type for all operands and results}}
  %0 = "nn.relu_grad"(%g, %x) : (tensor<4xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @equal_mask_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'nn.equal_mask' op operand shapes 'tensor<2x3xf32>' and 'tensor<2xf32>' are not broadcastable (dim -1 from the end differs)}}
  %0 = nn.equal_mask %a, %b : tensor<2x3xf32>, tensor<2xf32>
  return
}

// -----

func.func @cross_entropy_grad_wrong_grad(%g: tensor<4xf32>, %logits: tensor<4x10xf32>, %target: tensor<4xi64>) {
  // expected-error @+1 {{'nn.cross_entropy_grad' op grad must have the type of the loss, 'tensor<f32>', got 'tensor<4xf32>'}}
  %0 = nn.cross_entropy_grad %g, %logits, %target reduction = mean : tensor<4xf32>, tensor<4x10xf32>, tensor<4xi64>
  return
}

// -----

// Conversions change the dtype, never the shape.
func.func @convert_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.convert' op cannot change the shape: 'tensor<4xf32>' -> 'tensor<2x2xf16>'}}
  %0 = nn.convert %x : tensor<4xf32> -> tensor<2x2xf16>
  return
}

// -----

// Bools are converted before arithmetic, as PyTorch promotes them.
func.func @neg_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{'nn.neg' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 64-bit signless integer or 32-bit signless integer or 8-bit unsigned integer values, but got 'tensor<4xi1>'}}
  %0 = nn.neg %x : tensor<4xi1>
  return
}

// -----

// True division and powers are float ops (the tracer converts integers).
func.func @pow_tensor_integer(%x: tensor<4xi64>) {
  // expected-error @+1 {{'nn.pow_tensor' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi64>'}}
  %0 = nn.pow_tensor %x, %x : tensor<4xi64>, tensor<4xi64>
  return
}

// -----

// Comparisons do not promote: the tracer converts to a common dtype.
func.func @compare_mixed_dtypes(%a: tensor<3xf32>, %b: tensor<3xi64>) {
  // expected-error @+1 {{'nn.lt' op operand element types must match, got 'f32' and 'i64'}}
  %0 = nn.lt %a, %b : tensor<3xf32>, tensor<3xi64>
  return
}

// -----

func.func @where_condition_not_broadcastable(%m: tensor<2xi1>, %x: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.where' op condition 'tensor<2xi1>' does not broadcast with values 'tensor<4x3xf32>'}}
  %0 = nn.where %m, %x, %x : tensor<2xi1>, tensor<4x3xf32>, tensor<4x3xf32>
  return
}

// -----

func.func @where_float_condition(%m: tensor<3xf32>, %x: tensor<3xf32>) {
  // expected-error @+1 {{'nn.where' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = nn.where %m, %x, %x : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
  return
}

// -----

func.func @clamp_no_bounds(%x: tensor<3xf32>) {
  // expected-error @+1 {{'nn.clamp' op needs at least one of min and max}}
  %0 = nn.clamp %x : tensor<3xf32>
  return
}

// -----

func.func @clamp_integer_fraction(%x: tensor<3xi32>) {
  // expected-error @+1 {{'nn.clamp' op bounds of an integer tensor must be integers, got 5.000000e-01}}
  %0 = nn.clamp %x min = 0.5 : tensor<3xi32>
  return
}

// -----

func.func @slice_past_end(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'nn.slice' op [start, end) = [2, 9) is not within [0, 8] of dim 1 of 'tensor<4x8xf32>'}}
  %0 = nn.slice %x dim = 1 start = 2 end = 9 step = 1 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'nn.slice' op step = 0 must be at least 1}}
  %0 = nn.slice %x dim = 1 start = 0 end = 4 step = 0 : tensor<4x8xf32>
  return
}

// -----

func.func @slice_grad_wrong_shape(%g: tensor<4x3xf32>, %x: tensor<4x8xf32>) {
  // expected-error @+1 {{'nn.slice_grad' op grad must have the shape of the slice, 'tensor<4x2xf32>', got 'tensor<4x3xf32>'}}
  %0 = nn.slice_grad %g like %x dim = 1 start = 1 end = 5 step = 2 : tensor<4x3xf32>, tensor<4x8xf32>
  return
}

// -----

func.func @concat_other_dim_differs(%a: tensor<4x2xf32>, %b: tensor<3x2xf32>) {
  // expected-error @+1 {{'nn.concat' op operands 'tensor<4x2xf32>' and 'tensor<3x2xf32>' differ in dim 0}}
  %0 = nn.concat %a, %b dim = 1 : tensor<4x2xf32>, tensor<3x2xf32>
  return
}

// -----

// The VJP slices the gradient at static offsets.
func.func @concat_dynamic_dim(%a: tensor<?x2xf32>, %b: tensor<4x2xf32>) {
  // expected-error @+1 {{'nn.concat' op operand 'tensor<?x2xf32>' has a dynamic size along dim 0}}
  %0 = nn.concat %a, %b dim = 0 : tensor<?x2xf32>, tensor<4x2xf32>
  return
}

// -----

func.func @concat_mixed_dtypes(%a: tensor<4x2xf32>, %b: tensor<4x2xf64>) {
  // expected-error @+1 {{'nn.concat' op operands must have one rank and element type, got 'tensor<4x2xf32>' and 'tensor<4x2xf64>'}}
  %0 = nn.concat %a, %b dim = 1 : tensor<4x2xf32>, tensor<4x2xf64>
  return
}

// -----

func.func @permute_not_a_permutation(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'nn.permute' op dims [0, 0, 1] are not a permutation of the 3 dims of 'tensor<2x3x4xf32>'}}
  %0 = nn.permute %x dims = [0, 0, 1] : tensor<2x3x4xf32>
  return
}

// -----

func.func @index_select_matrix_index(%x: tensor<4x3xf32>, %i: tensor<2x2xi64>) {
  // expected-error @+1 {{'nn.index_select' op expects a 1-D index, got 'tensor<2x2xi64>'}}
  %0 = nn.index_select %x, %i dim = 0 : tensor<4x3xf32>, tensor<2x2xi64>
  return
}

// -----

func.func @index_select_float_index(%x: tensor<4x3xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{'nn.index_select' op operand #1 must be ranked tensor of 64-bit signless integer or 32-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = nn.index_select %x, %i dim = 0 : tensor<4x3xf32>, tensor<2xf32>
  return
}

// -----

func.func @gather_index_too_large(%x: tensor<4x3xf32>, %i: tensor<5x3xi64>) {
  // expected-error @+1 {{'nn.gather' op index 'tensor<5x3xi64>' must have the rank of input 'tensor<4x3xf32>' and no larger size outside dim 1}}
  %0 = nn.gather %x, %i dim = 1 : tensor<4x3xf32>, tensor<5x3xi64>
  return
}

// -----

func.func @scatter_add_src_shape(%x: tensor<4x3xf32>, %i: tensor<4x1xi64>, %s: tensor<4x2xf32>) {
  // expected-error @+1 {{'nn.scatter_add' op index 'tensor<4x1xi64>' and src 'tensor<4x2xf32>' must have one shape, equal to input 'tensor<4x3xf32>' outside dim 1}}
  %0 = nn.scatter_add %x, %i, %s dim = 1 : tensor<4x3xf32>, tensor<4x1xi64>, tensor<4x2xf32>
  return
}

// -----

func.func @argmax_dim_out_of_range(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'nn.argmax' op dim 2 in dims [2] is out of range for 'tensor<4x3xf32>' (rank 2)}}
  %0 = nn.argmax %x dim = 2 : tensor<4x3xf32>
  return
}

// -----

// where's two value operands share their dtype (the tracer converts).
func.func @where_mixed_values(%m: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xf16>) {
  // expected-error @+1 {{'nn.where' op operand element types must match, got 'f32' and 'f16'}}
  %0 = nn.where %m, %x, %y : tensor<3xi1>, tensor<3xf32>, tensor<3xf16>
  return
}

// -----

// any/all take numbers or bools and give bools.
func.func @any_result_is_bool(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.any' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<f32>'}}
  %0 = "nn.any"(%x) <{dims = array<i64: 0>}> : (tensor<4xf32>) -> tensor<f32>
  return
}
