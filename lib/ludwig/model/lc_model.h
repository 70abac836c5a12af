/* lc_model.h - the network Ludwig's ECD model builds: N input encoders -> the concat combiner ->
 * M output decoders, as one planned graph of layers. Each layer names its sources (earlier layers
 * or input slots, as ggml's src[]); shapes are planned once (and checked, with a message naming the
 * layer), parameters live in one slab (gradients and optimizer state use the same offsets, so the
 * optimizer is one flat loop and saving is one write), activations and their gradients in one arena
 * each, planned for max_batch samples: forward and backward never allocate.
 *
 * Per input feature the encoder: stacked_cnn (Ludwig's Conv2DLayer: conv -> norm -> activation ->
 * dropout -> pool, then an FCStack), passthrough (the value itself), dense (an FCStack), embed
 * (torch.nn.Embedding), onehot. The combiner concatenates the encoder outputs in config order and
 * runs its FCStack; each output feature runs its own FCStack and its decoder's linear layer
 * (classifier: C logits; regressor: 1). An FCStack is Ludwig's: an optional norm and dropout on
 * its input, then per layer linear -> norm -> activation -> dropout (+ input when residual).
 * Every input value is a float in its slot: pixels scaled, numbers normalised, binaries 0/1,
 * category indices as exact integers.
 * What the model does not do: reading data, losses, metrics, files - see trainer and writers.
 */
#ifndef LC_MODEL_H
#define LC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lc_conv.h"
#include "lc_conv1d.h"
#include "lc_error.h"
#include "lc_layers.h"
#include "lc_pool.h"
#include "lc_rnn.h"

typedef enum lc_norm { LC_NORM_NONE = 0, LC_NORM_BATCH, LC_NORM_LAYER } lc_norm;
typedef enum lc_pool_fn { LC_POOLFN_NONE = 0, LC_POOLFN_MAX, LC_POOLFN_AVG } lc_pool_fn;
typedef enum lc_init {
    LC_INIT_TORCH_DEFAULT = 0, /* PyTorch's own reset_parameters (kaiming_uniform a=sqrt(5)) */
    LC_INIT_ZEROS,
    LC_INIT_ONES,
    LC_INIT_XAVIER_UNIFORM,
    LC_INIT_XAVIER_NORMAL,
    LC_INIT_KAIMING_UNIFORM,
    LC_INIT_KAIMING_NORMAL,
    LC_INIT_UNIFORM,          /* U(0, 1) as torch.nn.init.uniform_ */
    LC_INIT_NORMAL,           /* N(0, 1) as torch.nn.init.normal_ */
    LC_INIT_UNIFORM_PM1,      /* U(-1, 1): Ludwig's default for embedding matrices */
    LC_INIT_EYE,              /* the identity of a square matrix (representation: sparse) */
    LC_INIT_KAIMING_NORMAL_FAN_OUT, /* N(0, 2 / fan_out): torchvision's convolutions
                                    * (kaiming_normal_, mode fan_out, relu) */
    LC_INIT_NORMAL_0_01,      /* N(0, 0.01^2): torchvision MobileNet's Linear layers */
    LC_INIT_NORMAL_0_02,      /* N(0, 0.02^2): torchvision's trunc_normal_(std=0.02) (its cut at +-2
                               * lies 100 standard deviations out): Swin's and ConvNeXt's */
    LC_INIT_LAYER_SCALE,      /* the constant 1e-6: torchvision ConvNeXt's layer_scale */
    LC_INIT_NORMAL_0_1,       /* N(0, 0.1^2): torchvision Inception v3's convolutions */
    LC_INIT_TRUNC_NORMAL_SD   /* torch's trunc_normal_(std = the layer's init_sd, cut at -2, 2):
                               * HF ViT's initializer_range */
} lc_init;

typedef struct lc_norm_spec {
    lc_norm type;
    float eps, momentum;
} lc_norm_spec;

typedef struct lc_conv_spec {
    int out_channels, kh, kw, sh, sw, dh, dw;
    int same_padding;  /* padding: "same" */
    int ph, pw;        /* explicit padding (valid = 0) */
    int use_bias;
    lc_init w_init, b_init;
    lc_norm_spec norm;
    lc_act act;
    float dropout;
    lc_pool_fn pool;
    int pkh, pkw, psh, psw, pph, ppw, pdh, pdw;
} lc_conv_spec;

typedef struct lc_fc_spec {
    int out;
    int use_bias;
    lc_init w_init, b_init;
    lc_norm_spec norm;
    lc_act act;
    float dropout;
} lc_fc_spec;

/* An FCStack (Ludwig's fully_connected_modules.FCStack). */
typedef struct lc_fc_stack_spec {
    int n;
    lc_fc_spec *layers;
    lc_norm_spec norm;     /* the stack's default norm, also applied to the stack input */
    float dropout;         /* the stack's default dropout, also applied to the stack input */
    int residual;          /* add a layer's input to its output when the sizes match */
} lc_fc_stack_spec;

typedef enum lc_enc_type {
    LC_ENC_STACKED_CNN = 0, /* image */
    LC_ENC_PASSTHROUGH,     /* number, binary: the value */
    LC_ENC_DENSE,           /* number, binary: an FCStack over the value */
    LC_ENC_EMBED,           /* category `dense`: an embedding matrix (vocab, size) */
    LC_ENC_ONEHOT,          /* category `onehot` and `sparse`: the one-hot vector */
    LC_ENC_RNN,             /* timeseries / text `rnn`: (text: embeddings,) a RecurrentStack, a
                             * sequence reduction, an FCStack */
    LC_ENC_SEQ_EMBED,       /* text `embed`: embeddings and a sequence reduction */
    LC_ENC_PARALLEL_CNN,    /* text `parallel_cnn`: embeddings, parallel conv1d layers (each
                             * reduced), concatenated, an FCStack */
    LC_ENC_SET_EMBED,       /* set / bag `embed`: a weighted sum of embedding rows (rows of T
                             * ids then T weights), dropout, an FCStack */
    LC_ENC_DATE_EMBED,      /* date `embed`: the year through a 1x1 FCStack, embeddings of month,
                             * day, weekday, day of the year, hour, minute, second, the
                             * periodic second of the day, concatenated, an FCStack */
    LC_ENC_DATE_WAVE,       /* date `wave`: the year's FCStack, 8 periodic components, an FCStack */
    LC_ENC_STACKED_CNN1D,   /* text / timeseries `stacked_cnn`: (embeddings,) Conv1D layers one
                             * after another, each with optional pooling, the reduction, an
                             * FCStack */
    LC_ENC_CNNRNN,          /* text / timeseries `cnnrnn`: the Conv1D stack, then the
                             * RecurrentStack, the reduction, an FCStack */
    LC_ENC_STACKED_PCNN,    /* text / timeseries `stacked_parallel_cnn`: stacks of parallel
                             * Conv1D layers, each stack's outputs concatenated per step */
    LC_ENC_TRANSFORMER,     /* text `transformer`: token and position embeddings, a projection
                             * to hidden_size, TransformerBlocks, the reduction, an FCStack */
    LC_ENC_SEQ_PASSTHROUGH, /* timeseries `passthrough`: the (T, 1) series reduced over the
                             * steps (concat: the series as it is) */
    LC_ENC_TV_RESNET,       /* image `resnet`: torchvision's ResNet (model_variant 18, 34, 50,
                             * 101, 152) without its fc: the globally averaged last feature map */
    LC_ENC_TV_MOBILENETV3,  /* image `mobilenetv3`: torchvision's MobileNetV3 (tv_variant 0
                             * small, 1 large) without its last Linear */
    LC_ENC_TV_EFFICIENTNET, /* image `efficientnet`: torchvision's EfficientNet (tv_variant 0..7
                             * b0..b7, 8..10 v2_s, v2_m, v2_l) without its Linear */
    LC_ENC_TV_VIT,          /* image `vit`: torchvision's VisionTransformer (tv_variant 0..4:
                             * b_16, b_32, l_16, l_32, h_14), the class token's final state */
    LC_ENC_TV_RESNEXT,      /* image `resnext`: torchvision's ResNeXt (tv_variant 0..2:
                             * 50_32x4d, 101_32x8d, 101_64x4d), ResNet with grouped 3x3 convs */
    LC_ENC_TV_MOBILENETV2,  /* image `mobilenetv2`: torchvision's MobileNetV2 (variant base) */
    LC_ENC_TV_DENSENET,     /* image `densenet`: torchvision's DenseNet-BC (tv_variant 121, 161,
                             * 169, 201) without its classifier: the averaged relu(norm5) */
    LC_ENC_TV_SQUEEZENET,   /* image `squeezenet`: torchvision's SqueezeNet (tv_variant 0..1:
                             * 1_0, 1_1) with its whole classifier (Ludwig keeps it) */
    LC_ENC_TV_REGNET,       /* image `regnet`: torchvision's RegNet (tv_variant 0..14:
                             * lc_tv_regnet_variants) without its fc */
    LC_ENC_TV_MNASNET,      /* image `mnasnet`: torchvision's MNASNet (tv_variant 0..3: 0_5,
                             * 0_75, 1_0, 1_3) without its last Linear */
    LC_ENC_TV_VGG,          /* image `vgg`: torchvision's VGG (tv_variant 0..7: 11, 11_bn, 13,
                             * 13_bn, 16, 16_bn, 19, 19_bn) without its last Linear */
    LC_ENC_TV_ALEXNET,      /* image `alexnet`: torchvision's AlexNet (variant base) without its
                             * last Linear */
    LC_ENC_TV_SHUFFLENETV2, /* image `shufflenet_v2`: torchvision's ShuffleNetV2 (tv_variant 0..3:
                             * x0_5, x1_0, x1_5, x2_0) without its fc */
    LC_ENC_TV_SWIN,         /* image `swin_transformer`: torchvision's SwinTransformer (v1;
                             * tv_variant 0..2: t, s, b) without its head */
    LC_ENC_TV_CONVNEXT,     /* image `convnext`: torchvision's ConvNeXt (tv_variant 0..3: tiny,
                             * small, base, large) without its last Linear */
    LC_ENC_TV_GOOGLENET,    /* image `googlenet`: torchvision's GoogLeNet (variant base) without
                             * its fc and auxiliary heads */
    LC_ENC_TV_INCEPTIONV3,  /* image `inceptionv3`: torchvision's Inception3 (variant base)
                             * without its fc and AuxLogits */
    LC_ENC_MLP_MIXER,       /* image `mlp_mixer`: Ludwig's own MLPMixer (mlp_mixer_modules.py):
                             * the patch embedding, mx_layers MixerBlocks, a LayerNorm, the mean
                             * over the patches (mx_avg_pool) or every patch's embedding */
    LC_ENC_RESNET_LEGACY,   /* image `_resnet_legacy`: Ludwig's own ResNet (lc_input_spec.rl),
                             * the spatial mean, an FCStack */
    LC_ENC_VIT_LEGACY,      /* image `_vit_legacy`: HuggingFace transformers' ViTModel built from
                             * a ViTConfig (lc_input_spec's vl_* settings), its pooler_output */
    LC_ENC_TV_MAXVIT        /* image `maxvit`: torchvision's MaxVit (tv_variant 0: t; 1: the
                             * small MaxVit test_tvresnet compares, not a config's) without its
                             * last Linear */
} lc_enc_type;

/* Ludwig's own ResNet (convolutional_modules.ResNet behind the `_resnet_legacy` encoder) */
typedef struct lc_resnet_legacy_spec {
    int resnet_size;       /* 8, 14, 18, 34 (basic blocks), 50, 101, 152, 200 (bottlenecks) */
    int out_channels;      /* the first block layer's filters, doubled per block layer */
    int kernel_size, conv_stride; /* the first convolution's */
    int pool_kernel, pool_stride; /* the first max pooling (padding 1); 0: none */
    float bn_momentum, bn_eps;
} lc_resnet_legacy_spec;

/* Ludwig's SequenceReducer modes (reduction_modules.py) that ludwig-c implements. */
typedef enum lc_seq_reduce {
    LC_RED_LAST = 0, /* the step at (number of steps with a non-zero output) - 1 */
    LC_RED_SUM,
    LC_RED_MEAN,     /* mean and avg */
    LC_RED_MAX,      /* torch.amax over the steps */
    LC_RED_CONCAT,   /* the (T, F) outputs flattened */
    LC_RED_ATTN      /* FeedForwardAttentionReducer: softmax over the steps of
                      * fc_layer2(tanh(fc_layer1(x))) weighting the steps */
} lc_seq_reduce;

typedef struct lc_input_spec {
    const char *name;      /* the feature's name (tensor names); copied by lc_model_create_net */
    lc_enc_type enc;
    int C, H, W;           /* stacked_cnn: the image */
    int nconv;
    lc_conv_spec *conv;
    lc_fc_stack_spec fc;   /* stacked_cnn, dense */
    int vocab;             /* embed, onehot: the vocabulary size */
    int embed_size;        /* embed (already capped at vocab as Ludwig does) */
    lc_init embed_init;
    int embed_trainable;
    float embed_dropout;
    int T;                 /* rnn: steps of the (T, 1) series */
    lc_rnn_cell cell;      /* rnn: cell_type */
    int state_size, num_layers, bidirectional, rnn_bias;
    float recurrent_dropout; /* between stacked layers, in training (torch's RNN dropout) */
    lc_seq_reduce reduce;  /* rnn: reduce_output */
    int seq_embed;         /* text: the T inputs are token ids, embedded (vocab, embed_size, ...) */
    int embed_exact;       /* pretrained embeddings: embed_size is the file's, never cut to vocab */
    int embed_sparse;      /* representation sparse: a (vocab, vocab) embedding, the identity at
                            * first (trained unless embeddings_trainable is false) */
    int npconv;            /* parallel_cnn: layers, each filter size and number of filters */
    int pconv_k[16], pconv_f[16];
    int scnn_pool[16], scnn_pool_stride[16], scnn_pool_pad[16], scnn_pool_avg[16]; /* stacked_cnn */
    lc_norm_spec pconv_norm[16]; /* parallel_cnn, stacked_cnn, cnnrnn: each conv layer's norm */
    int pconv_stride[16], pconv_dil[16], pconv_valid[16]; /* stacked_cnn, cnnrnn (0: 1, same) */
    float conv_dropout;    /* stacked_cnn (its dropout), cnnrnn (conv_dropout) */
    int nstack;            /* stacked_parallel_cnn: stacks, parallel layers in each, their */
    int nper[8];           /* filter sizes and numbers of filters */
    int spk[8][16], spf[8][16];
    int sp_pool[8][16], sp_pool_stride[8][16], sp_pool_pad[8][16], sp_pool_avg[8][16];
    lc_norm_spec sp_norm[8][16]; /* each layer's pooling (0: none) and norm */
    int tf_layers, tf_hidden, tf_heads, tf_ffn; /* transformer: num_layers, hidden_size,
                                                 * num_heads, transformer_output_size */
    float tf_dropout;
    lc_act pconv_act;      /* parallel_cnn: the conv layers' activation */
    int bag;               /* set_embed: a bag (names the embeddings embed_weighted) */
    int date_use_bias;     /* date: the year FCStack's use_bias and initializers */
    lc_init date_w_init, date_b_init;
    int tv_variant;        /* torchvision encoders: the model_variant (resnet: its depth) */
    int tv_wide;           /* resnet: wide_resnet (50_2, 101_2): each bottleneck twice as wide,
                            * torchvision's width_per_group 128 */
    int tv_frozen;         /* trainable: false (the backbone's parameters are not trained; its
                            * batch norms still use and update batch statistics, as in torch) */
    int tv_transform_input; /* googlenet, inceptionv3: torchvision's transform_input, on when the model was
                            * built with torchvision's pretrained weights (use_pretrained and not
                            * saved_weights_in_checkpoint): each input channel rescaled from the
                            * ImageNet normalisation to (x - 0.5) / 0.5 */
    int mx_patch, mx_embed; /* mlp_mixer: patch_size, embed_size (the image C x H x W; H and W
                            * multiples of patch_size) */
    int mx_token, mx_channel, mx_layers; /* mlp_mixer: token_size, channel_dim, num_layers */
    int mx_avg_pool;       /* mlp_mixer: avg_pool (0: the (n_patches, embed_size) output,
                            * flattened) */
    float mx_dropout;      /* mlp_mixer: the rate of each MLP's two dropouts */
    lc_resnet_legacy_spec rl; /* _resnet_legacy (its FCStack: fc) */
    /* _vit_legacy: ViTConfig's patch_size, hidden_size, num_hidden_layers, num_attention_heads,
     * intermediate_size, hidden_act, hidden_dropout_prob, attention_probs_dropout_prob,
     * initializer_range, layer_norm_eps (the image is C x H x W, H == W) */
    int vl_patch, vl_hidden, vl_layers, vl_heads, vl_inter;
    int vl_image, vl_channels; /* a pretrained checkpoint's image_size and num_channels (0: any) */
    lc_act vl_act;
    float vl_drop, vl_attn_drop, vl_init_range, vl_ln_eps;
} lc_input_spec;

/* efficientnet's and vit's model_variant names, by lc_input_spec.tv_variant */
extern const char *const lc_tv_efficientnet_variants[11];
extern const char *const lc_tv_vit_variants[5];
extern const char *const lc_tv_resnext_variants[3];
extern const char *const lc_tv_squeezenet_variants[2];
extern const char *const lc_tv_regnet_variants[15];
extern const char *const lc_tv_mnasnet_variants[4];

/* RegNet variant tv_variant's stages as torchvision's BlockParams.from_init_params derives them:
 * blocks, width and group width per stage; returns the number of stages (-1: unknown variant
 * or more than max) */
int lc_tv_regnet_stages(int variant, int *depths, int *widths, int *group_widths, int max);
extern const char *const lc_tv_vgg_variants[8];
extern const char *const lc_tv_shufflenetv2_variants[4];
extern const char *const lc_tv_swin_variants[3];
extern const char *const lc_tv_convnext_variants[4];
extern const char *const lc_tv_maxvit_variants[1];

typedef enum lc_head_type {
    LC_HEAD_CATEGORY = 0,
    LC_HEAD_BINARY,
    LC_HEAD_NUMBER,
    LC_HEAD_SET,           /* one sigmoid per label: probs and targets (B, nclasses) */
    LC_HEAD_VECTOR         /* a linear projection to nclasses (vector_size) values */
} lc_head_type;

typedef struct lc_output_spec {
    const char *name;
    lc_head_type type;
    int nclasses;          /* category */
    lc_fc_stack_spec fc;   /* the output feature's FCStack before the decoder */
    int calibration;       /* category, binary: a temperature (Ludwig's _calibration_module) */
    int use_bias;
    lc_init w_init, b_init;
} lc_output_spec;

typedef struct lc_net_spec {
    int nin;
    lc_input_spec *in;
    lc_fc_stack_spec comb; /* the concat combiner's FCStack */
    int nout;
    lc_output_spec *out;
    /* act_budget > 0: lc_model_create_net lowers max_batch (not below min_batch) so that the
     * activations and their gradients fit in act_budget bytes */
    size_t act_budget;
    int min_batch;
    /* inference: the model never runs a backward pass (predict, evaluate): the gradients of the
     * parameters and of the activations are not allocated (grads, dacts, dtmp stay NULL, and
     * lc_model_backward does nothing): a resnet's memory and its first-touch cost halve (the
     * batch stays the one act_budget gives a training model, so that predict's batches are
     * those of the experiment's evaluation) */
    int inference;
} lc_net_spec;

/* The tutorial's network: one image input (stacked_cnn), one category output. */
typedef struct lc_model_spec {
    int C, H, W;           /* input image */
    int nconv;
    lc_conv_spec *conv;
    int nfc;
    lc_fc_spec *fc;
    int nclasses;
    int out_use_bias;
    lc_init out_w_init, out_b_init;
} lc_model_spec;

typedef enum lc_ltype {
    LC_L_CONV = 0,
    LC_L_POOL,
    LC_L_ACT,
    LC_L_DROPOUT,
    LC_L_BATCHNORM,
    LC_L_LAYERNORM,
    LC_L_DENSE,
    LC_L_CONCAT,           /* (B, sum F_k) from its sources' (B, F_k) */
    LC_L_ADD,              /* residual: the sum of its two sources */
    LC_L_EMBED,            /* (B, D) rows of W (V, D) picked by the source's indices */
    LC_L_ONEHOT,           /* (B, V) one-hot of the source's indices */
    LC_L_RNN,              /* (B, T, D H) from (B, T, I): one recurrent layer, D directions */
    LC_L_SEQRED,           /* (B, F) from (B, T, F): a sequence reduction */
    LC_L_CONV1D,           /* (B, L, F) from (B, L, E): Conv1d, "same" padding */
    LC_L_EMBED_SUM,        /* (B, D) from (B, 2T) id/weight rows: sum of weight * W[id] */
    LC_L_SLICE,            /* (B, n) = columns col.. of the source plus add (no gradient) */
    LC_L_PERIODIC,         /* (B, n) = cos(x * 2 pi / period) of columns col.. (no gradient) */
    LC_L_ATTN_POOL,        /* (B, F) = sum over t of softmax_t(scores) x_t: source 0 the (B, T)
                            * scores, source 1 the (B, T, F) steps */
    LC_L_POOL1D,           /* (B, Lout, F) from (B, L, F): max or average pooling over the steps
                            * (torch's MaxPool1d / AvgPool1d, padding counted in the average) */
    LC_L_CONCAT_CH,        /* (B, L, sum F_k) from its sources' (B, L, F_k): per step */
    LC_L_POSADD,           /* (B, T, E) + W[t] (position embeddings, W (T, E)) */
    LC_L_LN_STEP,          /* LayerNorm over the last dimension of (B, T, H) */
    LC_L_MHA,              /* multi-head scaled dot-product attention: sources q, k, v (B, T, H),
                            * out (B, T, H); softmax weights kept in aux */
    LC_L_SCALE_CH,         /* (B, C, HW) x (B, C): each channel times its sample's scale
                            * (squeeze-excitation); sources x then the scales */
    LC_L_STOCHDEPTH,       /* torchvision's StochasticDepth(p, "row"): in training each sample
                            * kept with probability 1 - p and scaled by 1 / (1 - p), or zeroed;
                            * the identity in evaluation; the scales kept in aux */
    LC_L_PATCH_TOKENS,     /* ViT: (B, C, HW) -> (B, 1 + HW, C): the class token (its weight,
                            * C) then the map's positions as rows */
    LC_L_FIRST_STEP,       /* (B, T, F) -> (B, F): step 0 (ViT's class token) */
    LC_L_CH_RANGE,         /* (B, nc, HW) = channels c0 .. c0 + nc - 1 of the source's (B, C, HW)
                            * (torch's chunk along the channels); u.chan */
    LC_L_CH_SHUFFLE,       /* (B, C, HW): torchvision's channel_shuffle(x, groups): output channel
                            * j groups + g is input channel g (C / groups) + j; u.chan */
    LC_L_WIN_GATHER,       /* rows of u.win.C floats picked from the source (or zeros): Swin's
                            * NCHW -> channels-last (u.win.mode LC_WIN_TRANSPOSE), padding, shift
                            * and window partition (LC_WIN_PART), its reverse (LC_WIN_REV), the
                            * 2x2 patch merging concatenation (LC_WIN_MERGE) */
    LC_L_WIN_ATTN,         /* Swin's shifted-window attention: (B, nW N, 3C) packed q, k, v rows
                            * -> (B, nW N, C): softmax(q k^T / sqrt(d) + relative position bias
                            * (+ the shifted windows' mask -100)) v per window and head; the
                            * weight the relative_position_bias_table ((2ws-1)^2, heads); the
                            * attention weights kept in aux */
    LC_L_PERMUTE,          /* each sample's (R, Q) matrix transposed to (Q, R) (u.norm.C = R,
                            * u.norm.HW = Q): NCHW <-> NHWC, torchvision's Permute */
    LC_L_LAYER_SCALE,      /* (B, C, HW) times a trained per-channel weight (C) (u.norm.C, HW):
                            * ConvNeXt's layer_scale, a (C, 1, 1) tensor */
    LC_L_CH_AFFINE         /* (B, C, HW): channel c times scale[c] plus shift[c], constants
                            * (GoogLeNet's transform_input) */
} lc_ltype;

/* Which module a layer's parameters belong to (for state_dict names). */
typedef enum lc_lpart {
    LC_PART_ENC_CONV = 0,  /* input feature: encoder_obj.conv_stack_2d */
    LC_PART_ENC_FC,        /* input feature: encoder_obj.fc_stack */
    LC_PART_ENC_EMBED,     /* input feature: encoder_obj.embed */
    LC_PART_ENC_RNN,       /* input feature: encoder_obj.recurrent_stack.layers (torch RNN) */
    LC_PART_ENC_EMBED_SEQ, /* input feature: encoder_obj.embed_sequence.embeddings */
    LC_PART_ENC_PCONV,     /* input feature: encoder_obj.parallel_conv1d.parallel_layers.<i> */
    LC_PART_ENC_SCONV,     /* input feature: encoder_obj.conv1d_stack.stack.<i>.layers.0 */
    LC_PART_ENC_TOKEN_EMBED, /* input feature: encoder_obj.embed_sequence.token_embed.embeddings */
    LC_PART_ENC_POS_EMBED, /* input feature: encoder_obj.embed_sequence.position_embed */
    LC_PART_ENC_PROJECT,   /* input feature: encoder_obj.project_to_hidden_size */
    LC_PART_ENC_TBLOCK,    /* input feature: encoder_obj.transformer_stack.layers.<i>.<sub>
                            * (param_index i * 16 + sub) */
    LC_PART_ENC_SPCONV,    /* input feature: encoder_obj.parallel_conv1d_stack.stack.<i>.
                            * parallel_layers.<j>.layers.0 (param_index i * 16 + j) */
    LC_PART_ENC_EMBED_BAG, /* input feature: encoder_obj.embed_weighted.embeddings (bag) */
    LC_PART_ENC_YEAR,      /* input feature: encoder_obj.year_fc (date) */
    LC_PART_ENC_DATE_EMB,  /* input feature: encoder_obj.embed_<component>.embeddings (date) */
    LC_PART_ENC_ATTN,      /* input feature: encoder_obj.reduce_sequence._reduce_obj.fc_layer<i> */
    LC_PART_ENC_TV,        /* input feature: encoder_obj.model.<the layer's tvname> */
    LC_PART_COMBINER,      /* combiner.fc_stack */
    LC_PART_OUT_FC,        /* output feature: fc_stack */
    LC_PART_DECODER,       /* output feature: decoder_obj.dense */
    LC_PART_ENC_MIXER      /* input feature: encoder_obj.mlp_mixer.<the layer's tvname> */
} lc_lpart;

typedef struct lc_layer {
    lc_ltype type;
    union {
        lc_conv2d conv;
        lc_pool2d pool;
        lc_act act;
        float rate;
        struct {
            int C, HW;
            int steps;     /* > 0: a time-major (B, steps, C) map, normalized per channel over
                            * the batch and the steps (BatchNorm1d in a Conv1DLayer) */
            float eps, momentum;
        } norm;
        struct {
            int in, out;
            int rep;       /* applied to rep consecutive rows per sample (time-distributed); 0: 1 */
        } dense;
        struct {
            int V, D;
        } embed;
        struct {
            lc_rnn_cell cell;
            int T, I, H, D;
        } rnn;
        struct {
            lc_seq_reduce mode;
            int T, F;
        } red;
        lc_conv1d c1;
        struct {
            int col, n;
            float add;
            float period[8];
        } sl;
        struct {
            int L, F, k, stride, pad, Lout, is_max;
        } p1;
        struct {
            int L;
        } cc;
        struct {
            int T, H, heads;
            float drop;    /* MHA: dropout on the attention weights in training (HF ViT's
                            * attention_probs_dropout_prob); the dropped weights kept in aux
                            * after the batch's softmax weights */
        } mha;             /* also POSADD (T, H = E) and LN_STEP (T, H, eps in ln_eps) */
        struct {
            int C, HW, c0, nc, groups;
        } chan;            /* CH_RANGE (C, HW, c0, nc), CH_SHUFFLE (C, HW, groups) */
        struct {
            int mode;      /* LC_WIN_* (gather) */
            int H, W, C;   /* the map (tokens H x W of C channels; attention: C = dim) */
            int Hp, Wp;    /* padded to multiples of ws (merge: the output H, W) */
            int ws, sh, sw; /* window size, the shifts (0 where ws >= the padded size) */
            int heads;
        } win;
        struct {
            int C, HW;
            float scale[4], shift[4];
        } aff;             /* CH_AFFINE */
    } u;
    int fused;             /* LC_L_CONV only: ReLU, dropout and max-pool run inside the conv */
    int tok;               /* LC_L_CONV1D: 1 + the LC_L_EMBED layer it convolves per distinct
                            * token (lc_tokconv.h), 0: none; LC_L_EMBED: 1 when every reader does
                            * (no (B, T, E) output; the readers add the embedding gradient) */
    size_t tok_off;        /* LC_L_EMBED with tok: its batch's ids in m->tok (bytes): D, cid, uniq,
                            * then the distinct rows; LC_L_CONV1D with tokred: its ReLU masks */
    int tokred;            /* LC_L_CONV1D with tok: 1 + the SEQRED (sum or mean) it computes with
                            * the ReLU between them (lc_tokconv_relu_sum_forward), 0: none */
    int skip;              /* an ACT or SEQRED layer that such a conv computes */
    int relu_next;         /* BATCHNORM (2-D) or ADD whose only reader is the ReLU right after
                            * it: that ReLU runs in this layer's pass (the batch norm's in
                            * training only), forward (into the ReLU's output; this layer's own is
                            * not written) and backward */
    lc_conv_fuse fuse;
    float fuse_rate;       /* the fused dropout rate (0: none) */
    int src_at, nsrc;      /* sources: m->srcs[src_at .. src_at + nsrc); >= 0 a layer, < 0 the
                            * input slot -(s + 1) */
    int consumers;         /* layers reading this one's output */
    size_t in_n, out_n;    /* floats per sample in (first source) and out */
    size_t w_off, b_off;   /* parameter slab offsets; SIZE_MAX when absent */
    size_t w_n, b_n;
    int frozen;            /* parameters not trained (gradients stay 0) */
    size_t buf_off;        /* batchnorm running mean then var in the buffer slab */
    size_t act_off;        /* output activation offset in the arena (per batch) */
    size_t aux_off;        /* argmax (int32), mask (uint8) or norm stats, in the aux arena (bytes) */
    lc_lpart part;         /* naming: the module ... */
    int feature;           /* ... of which input or output feature (-1: combiner) */
    int param_index;       /* which block of the stack this belongs to (-1: the stack's input) */
    lc_init w_init, b_init;
    size_t fan_in, fan_out;
    char tvname[96];       /* LC_PART_ENC_TV: the module's name in torchvision's model */
    const char *wsuffix, *bsuffix; /* the tensors' names after tvname when not weight / bias
                            * (in_proj_weight; class_token with an empty tvname) */
    int wshape3;           /* > 0: the weight is a (1, w_n / wshape3, wshape3) tensor (ViT's
                            * class_token, pos_embedding) */
    int no_grad;           /* LC_PART_ENC_TV: frozen, and so is everything before it: skipped
                            * by the backward pass (nothing reads its gradient) */
    float init_sd;         /* LC_INIT_TRUNC_NORMAL_SD: the standard deviation */
} lc_layer;

/* One output feature's head: the decoder's last layer and the buffers the loss works in. */
typedef struct lc_head {
    lc_head_type type;
    int layer;             /* the decoder's linear layer; its output is the logits / prediction */
    int K;                 /* outputs per sample: nclasses (category) or 1 */
    int calibrated;        /* the head has a temperature tensor (calibration: true) */
    float temperature;     /* probabilities are softmax / sigmoid of logits / temperature (1 until
                            * calibrated after training; the loss always uses the logits) */
    float *probs;          /* (B, K): softmax (category) or sigmoid (binary) of the logits */
    float *dlogits;        /* (B, K): the loss gradient, set by the trainer */
    int32_t *labels;       /* (B) category targets */
    float *targets;        /* (B) binary (0/1) and number targets; set: (B, K) multi-hot;
                            * vector: (B, K) */
} lc_head;

typedef struct lc_model {
    int nlayers;
    lc_layer *layers;
    int *srcs;
    int nin, nout;
    char **in_names, **out_names;
    lc_enc_type *in_enc;
    size_t *in_ns;         /* (nin) floats per sample in each input slot */
    float **inputs;        /* (nin) slots, (B, in_ns[k]) each */
    lc_head *heads;        /* (nout) */
    size_t comb_n;         /* floats per sample out of the combiner */
    double flops;          /* multiply-adds x 2 per sample of a forward pass (convs, denses) */
    size_t nparams, nbuffers;
    float *params, *grads, *opt_state, *buffers;
    int opt_per_param;
    /* a data-parallel step's batch norms: when bn_rec is set, a training forward pass records each
     * batch norm's statistics at bn_rec + buf_off (lc_batchnorm_forward_train_rec) and sets
     * bn_rec_set[layer] instead of updating its running statistics */
    double *bn_rec;
    unsigned char *bn_rec_set;
    /* the processes sharing lc_evaluate's batches (lc_dist.h; NULL: this one alone) */
    const struct lc_dist *dist;
    /* batch-sized arenas, planned for max_batch samples */
    int max_batch, nthreads;
    float *acts;           /* every layer's output */
    float *dacts;          /* their gradients (same offsets) */
    float *dtmp;           /* a source's gradient before it is added to one with several readers */
    unsigned char *ginit;  /* backward pass: layer i's gradient (in dacts) holds a first reader's
                            * contribution; the later ones are added (nlayers) */
    unsigned char *aux;    /* argmax, dropout masks, norm statistics */
    float *conv_ws;
    size_t conv_ws_n;
    float *fold_ws;        /* evaluation: a convolution's weights and bias with the batch norm
                            * after it folded in (eval_conv_bn); NULL when none has one */
    struct lc_kept_u *kept; /* (nlayers) the Winograd weights kept between batches, and what
                            * they were made from (lc_model_keep_weights); NULL when none */
    int keep;              /* LC_KEEP_* scopes open */
    unsigned char *tok;    /* the token-convolved embeddings' batches (see lc_layer.tok) */
    int32_t *tok_map;      /* id -> distinct slot scratch, -1 between uses */
    /* the first input and output (the tutorial network's only ones) */
    float *input;          /* inputs[0] */
    size_t in_n;           /* in_ns[0] */
    int nclasses;          /* heads[0].K */
    float *probs, *dlogits;
    int32_t *labels;
} lc_model;

/* Plans the network and allocates everything for batches up to max_batch. On a shape problem the
 * message names the layer ("conv_layers[1]: filter_size 5 is larger than its 3x3 input"). */
lc_status lc_model_create_net(const lc_net_spec *spec, int max_batch, int nthreads,
                              lc_model **out, lc_error *e);
/* The tutorial's network (input 'image_path', output 'label'). */
lc_status lc_model_create(const lc_model_spec *spec, int max_batch, int nthreads, lc_model **out,
                          lc_error *e);
void lc_model_free(lc_model *m);

/* Initialises parameters from the seed (stream LC_STREAM_INIT), as the initializers say. */
void lc_model_init_params(lc_model *m, uint64_t seed);

/* Forward pass for B samples already in the input slots; training enables dropout and batch
 * statistics. Leaves each head's logits (or prediction) at its layer's output. */
void lc_model_forward(lc_model *m, lc_pool *p, int B, int training, uint64_t seed, uint64_t step);
/* Scopes in which weights stay the same from one forward pass to the next, so that a Winograd
 * convolution transforms its weights once and keeps them (about 4x the convolution's weights,
 * ~90 MB for resnet18) rather than at every batch:
 *   LC_KEEP_EVAL: an evaluation over batches, parameters and buffers untouched until it ends
 *     (the transform of the batch-norm-folded weights is kept too);
 *   LC_KEEP_FROZEN: training, for the frozen convolutions' training forward (their parameters
 *     are never stepped: lc_optim_step_ranges).
 * Opening or closing either forgets every kept transform; closing the last frees them. Whoever
 * changes a parameter inside a scope must close it first. */
enum { LC_KEEP_EVAL = 1, LC_KEEP_FROZEN = 2 };
void lc_model_keep_weights(lc_model *m, int scope, int open);
/* Softmax of head 0's logits into m->probs (B, nclasses). */
void lc_model_softmax(lc_model *m, int B);
/* Logits (B, K) of head h after the last forward pass. */
const float *lc_model_head_out(const lc_model *m, int h);
/* Logits (B, nclasses) of head 0. */
const float *lc_model_logits(const lc_model *m);
/* Backward from every head's dlogits (B, K), filling m->grads (overwritten). */
void lc_model_backward(lc_model *m, lc_pool *p, int B);

/* State-dict style name of parameter/buffer tensors, for model_weights. */
typedef struct lc_tensor_info {
    char name[256];
    int ndim;
    int64_t shape[4];
    const float *data;
    size_t n;
    int is_buffer;
    int frozen_eye; /* a frozen identity (representation sparse): files ludwig-c wrote before
                     * it was saved lack it, and the model's own identity stands in */
    int arange;     /* an index buffer Ludwig's module registers beside this tensor, 0..shape[0]-1:
                     * LC_ARANGE_VOCAB_I64 (EmbedSet.vocab_indices), LC_ARANGE_VOCAB_I32
                     * (EmbedWeighted.vocab_indices), LC_ARANGE_POSITIONS (the transformer's
                     * TokenAndPositionEmbedding.positions); 0 for none */
} lc_tensor_info;
enum { LC_ARANGE_VOCAB_I64 = 1, LC_ARANGE_VOCAB_I32, LC_ARANGE_POSITIONS,
       LC_ARANGE_SWIN_RPI, /* Swin's relative_position_index beside its bias table: (ws^2)^2
                            * int64 values derived from the window size */
       LC_ARANGE_MAXVIT_RPI /* MaxViT's: the same values, shaped (ws^2, ws^2) */ };
enum { LC_WIN_TRANSPOSE = 0, LC_WIN_PART, LC_WIN_REV, LC_WIN_MERGE,
       LC_WIN_GRID,      /* MaxViT's grid partition of a channels-last H x W map: group (a, b)
                          * of (H / ws) x (W / ws), token (i, j) of ws x ws at (i H / ws + a,
                          * j W / ws + b) */
       LC_WIN_GRID_REV }; /* its reverse */
/* a WIN_ATTN layer's u.win.mode: Swin's scaling (q times head_dim^-1/2) or MaxViT's (k times
 * feat_dim^-1/2, no shift) */
enum { LC_WINATTN_SWIN = 0, LC_WINATTN_MAXVIT };
/* Enumerates named tensors in a fixed order; returns how many (fills up to cap). */
int lc_model_tensors(const lc_model *m, lc_tensor_info *out, int cap);

#endif
