/* config_schema.c - the Ludwig 0.10.3 config sections ludwig-c understands, as schema tables:
 * key names, accepted types, ranges and defaults as upstream's schema declares them (see
 * docs/ludwig-0.10.3-model.md). Keys we accept only at their default are flagged F_DEFAULT_ONLY,
 * so a config asking for something we do not implement fails loudly instead of being ignored. */
#include "lc_config_schema.h"
#include "lc_config_schema_tab.h"

#define BIG 1e308
#define ACTIVATIONS "elu|leakyRelu|logSigmoid|relu|sigmoid|tanh|softmax"
#define INITIALIZERS                                                                              \
    "constant|dirac|eye|identity|kaiming_normal|kaiming_uniform|normal|ones|orthogonal|sparse|"   \
    "uniform|xavier_normal|xavier_uniform|zeros"
#define MISSING                                                                                   \
    "fill_with_const|fill_with_mode|bfill|ffill|drop_row|fill_with_mean|fill_with_false|fill_with_true"

static const lc_key conv_layer_keys[] = {
    {"out_channels", T_INT, NULL, 1, BIG, NULL, NULL, 0, NULL},
    {"kernel_size", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, 0, NULL},
    {"stride", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, 0, NULL},
    {"padding", T_INT | T_NUMLIST | T_STR, NULL, 0, BIG, "valid|same", NULL, 0, NULL},
    {"dilation", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, 0, NULL},
    {"groups", T_INT, "1", 1, BIG, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"use_bias", T_BOOL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"padding_mode", T_STR, "\"zeros\"", 0, 0, "zeros|reflect|replicate|circular", NULL,
     F_DEFAULT_ONLY, NULL},
    {"norm", T_STR | T_NULL, NULL, 0, 0, "batch|layer", NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, NULL, 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"dropout", T_FLOAT, NULL, 0, 1, NULL, NULL, 0, NULL},
    {"pool_function", T_STR, NULL, 0, 0, "max|average|avg|mean", NULL, 0, NULL},
    {"pool_kernel_size", T_INT | T_NUMLIST | T_NULL, NULL, 1, BIG, NULL, NULL, 0, NULL},
    {"pool_stride", T_INT | T_NUMLIST | T_NULL, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"pool_padding", T_INT | T_NUMLIST | T_NULL, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"pool_dilation", T_INT | T_NUMLIST | T_NULL, NULL, 1, BIG, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR, NULL, 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"bias_initializer", T_STR, NULL, 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"in_channels", T_INT | T_NULL, NULL, 1, BIG, NULL, NULL, F_IGNORED, NULL},
    /* legacy spellings (Ludwig < 0.5); Ludwig 0.10.3 ignores them, ludwig-c honours them */
    {"num_filters", T_INT, NULL, 1, BIG, NULL, NULL, F_UPSTREAM_IGNORES, "out_channels"},
    {"filter_size", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, F_UPSTREAM_IGNORES, "kernel_size"},
    {"strides", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, F_UPSTREAM_IGNORES, "stride"},
    {"dilation_rate", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, F_UPSTREAM_IGNORES, "dilation"},
    {"conv_use_bias", T_BOOL, NULL, 0, 0, NULL, NULL, F_UPSTREAM_IGNORES, "use_bias"},
    {"bias", T_BOOL, NULL, 0, 0, NULL, NULL, F_UPSTREAM_IGNORES, "use_bias"},
    {"pool_size", T_INT | T_NUMLIST | T_NULL, NULL, 1, BIG, NULL, NULL, F_UPSTREAM_IGNORES, "pool_kernel_size"},
    {"pool_strides", T_INT | T_NUMLIST | T_NULL, NULL, 0, BIG, NULL, NULL, F_UPSTREAM_IGNORES, "pool_stride"},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_conv_layer = {"conv_layers[]", conv_layer_keys};

static const lc_key fc_layer_keys[] = {
    {"output_size", T_INT, NULL, 1, BIG, NULL, NULL, 0, NULL},
    {"use_bias", T_BOOL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR, NULL, 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"bias_initializer", T_STR, NULL, 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, NULL, 0, 0, "batch|layer", NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, NULL, 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"dropout", T_FLOAT, NULL, 0, 1, NULL, NULL, 0, NULL},
    {"input_size", T_INT | T_NULL, NULL, 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"fc_size", T_INT, NULL, 1, BIG, NULL, NULL, 0, "output_size"},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_fc_layer = {"fc_layers[]", fc_layer_keys};

static const lc_key stacked_cnn_keys[] = {
    {"type", T_STR, "\"stacked_cnn\"", 0, 0, "stacked_cnn", NULL, 0, NULL},
    {"use_pretrained", T_BOOL, NULL, 0, 0, NULL, NULL, F_DROPPED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"conv_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"conv_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"height", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"width", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_channels", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"out_channels", T_INT, "32", 1, BIG, NULL, NULL, 0, NULL},
    {"kernel_size", T_INT | T_NUMLIST, "3", 1, BIG, NULL, NULL, 0, NULL},
    {"stride", T_INT | T_NUMLIST, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"padding_mode", T_STR, "\"zeros\"", 0, 0, "zeros|reflect|replicate|circular", NULL,
     F_DEFAULT_ONLY, NULL},
    {"padding", T_INT | T_NUMLIST | T_STR | T_NULL, "\"valid\"", 0, BIG, "valid|same", NULL, 0,
     NULL},
    {"dilation", T_INT | T_NUMLIST | T_NULL, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"groups", T_INT, "1", 1, BIG, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"pool_function", T_STR, "\"max\"", 0, 0, "max|average|avg|mean", NULL, 0, NULL},
    {"pool_kernel_size", T_INT | T_NUMLIST | T_NULL, "2", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_stride", T_INT | T_NUMLIST | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_padding", T_INT | T_NUMLIST | T_NULL, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"pool_dilation", T_INT | T_NUMLIST | T_NULL, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"output_size", T_INT, "128", 1, BIG, NULL, NULL, 0, NULL},
    {"conv_use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"conv_norm", T_STR | T_NULL, "null", 0, 0, "batch|layer", NULL, 0, NULL},
    {"conv_norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_conv_layers", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"conv_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_conv_layer, 0, NULL},
    {"fc_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"fc_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"fc_use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"fc_bias_initializer", T_STR, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"fc_weights_initializer", T_STR, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"fc_norm", T_STR | T_NULL, "null", 0, 0, "batch|layer", NULL, 0, NULL},
    {"fc_norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_fc_layers", T_INT, "1", 0, BIG, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    /* legacy encoder-level spellings */
    {"num_filters", T_INT, NULL, 1, BIG, NULL, NULL, 0, "out_channels"},
    {"filter_size", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, 0, "kernel_size"},
    {"strides", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, 0, "stride"},
    {"dilation_rate", T_INT | T_NUMLIST, NULL, 1, BIG, NULL, NULL, 0, "dilation"},
    {"pool_size", T_INT | T_NUMLIST | T_NULL, NULL, 1, BIG, NULL, NULL, 0, "pool_kernel_size"},
    {"pool_strides", T_INT | T_NUMLIST | T_NULL, NULL, 1, BIG, NULL, NULL, 0, "pool_stride"},
    {"fc_size", T_INT, NULL, 1, BIG, NULL, NULL, 0, "output_size"},
    {"activation", T_STR | T_NULL, NULL, 0, 0, ACTIVATIONS, NULL, 0, "fc_activation"},
    {"dropout", T_FLOAT, NULL, 0, 1, NULL, NULL, 0, "fc_dropout"},
    {"norm", T_STR | T_NULL, NULL, 0, 0, "batch|layer", NULL, 0, "fc_norm"},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_stacked_cnn = {"encoder", stacked_cnn_keys};

/* Ludwig's own ResNet (ResNetConfig, `_resnet_legacy`) in its dataclass order; height, width and
 * num_channels come from the image's preprocessing (update_config_with_metadata). kernel_size,
 * conv_stride and the pooling keys take one integer here (Ludwig's Conv2DLayerFixedPadding
 * compares a stride with 1 and halves a kernel size: its lists fail there) */
static const lc_key resnet_legacy_keys[] = {
    {"type", T_STR, "\"_resnet_legacy\"", 0, 0, "_resnet_legacy", NULL, 0, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"height", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"width", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"resnet_size", T_INT, "50", 1, BIG, NULL, NULL, 0, NULL},
    {"num_channels", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"out_channels", T_INT, "32", 1, BIG, NULL, NULL, 0, NULL},
    {"kernel_size", T_INT, "3", 1, BIG, NULL, NULL, 0, NULL},
    {"conv_stride", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"first_pool_kernel_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"first_pool_stride", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"batch_norm_momentum", T_FLOAT, "0.9", 0, BIG, NULL, NULL, 0, NULL},
    {"batch_norm_epsilon", T_FLOAT, "0.001", 0, BIG, NULL, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"bias_initializer", T_STR, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"weights_initializer", T_STR, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"output_size", T_INT, "128", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, "batch|layer", NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_fc_layers", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_resnet_legacy = {"encoder", resnet_legacy_keys};

/* A torchvision encoder's keys in Ludwig's dataclass order: type, BaseEncoderConfig's skip,
 * TVBaseEncoderConfig's use_pretrained, model_cache_dir, saved_weights_in_checkpoint, trainable,
 * then the family's model_variant row (the variadic argument) */
#define TV_KEYS(name, type, ...)                                                                   \
    static const lc_key name[] = {                                                                 \
        {"type", T_STR, "\"" type "\"", 0, 0, type, NULL, 0, NULL},                              \
        {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},                         \
        {"use_pretrained", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},                             \
        {"model_cache_dir", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},                    \
        {"saved_weights_in_checkpoint", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},               \
        {"trainable", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},                                  \
        __VA_ARGS__,                                                                               \
        {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},                                                \
    }

/* torchvision's ResNet (Ludwig's TVResNetEncoderConfig, in its dataclass order: BaseEncoderConfig,
 * TVBaseEncoderConfig, then model_variant; 18, 34, 50, 101 or 152, checked in config.c) */
TV_KEYS(tv_resnet_keys, "resnet", {"model_variant", T_INT, "50", 18, 152, NULL, NULL, 0, NULL});
const lc_section lc_sec_tv_resnet = {"encoder", tv_resnet_keys};

/* torchvision's wide ResNet (Ludwig's TVWideResNetEncoderConfig) */
TV_KEYS(tv_wide_resnet_keys, "wide_resnet", {"model_variant", T_STR, "\"50_2\"", 0, 0, "50_2|101_2", NULL, 0, NULL});
const lc_section lc_sec_tv_wide_resnet = {"encoder", tv_wide_resnet_keys};

/* The torchvision encoders whose model_variant is a string: TVBaseEncoderConfig's keys, then
 * the family's model_variant (Ludwig's TV<Family>EncoderConfig) */
#define TV_ENCODER_KEYS(name, type, dflt, choices)                                                 \
    TV_KEYS(name, type, {"model_variant", T_STR, "\"" dflt "\"", 0, 0, choices, NULL, 0, NULL})
TV_ENCODER_KEYS(tv_mobilenetv3_keys, "mobilenetv3", "small", "small|large");
TV_ENCODER_KEYS(tv_mobilenetv2_keys, "mobilenetv2", "base", "base");
TV_ENCODER_KEYS(tv_efficientnet_keys, "efficientnet", "b0", "b0|b1|b2|b3|b4|b5|b6|b7|v2_s|v2_m|v2_l");
TV_ENCODER_KEYS(tv_vit_keys, "vit", "b_16", "b_16|b_32|l_16|l_32|h_14");
TV_ENCODER_KEYS(tv_resnext_keys, "resnext", "50_32x4d", "50_32x4d|101_32x8d|101_64x4d");
const lc_section lc_sec_tv_mobilenetv3 = {"encoder", tv_mobilenetv3_keys};
const lc_section lc_sec_tv_mobilenetv2 = {"encoder", tv_mobilenetv2_keys};
const lc_section lc_sec_tv_efficientnet = {"encoder", tv_efficientnet_keys};
const lc_section lc_sec_tv_vit = {"encoder", tv_vit_keys};
const lc_section lc_sec_tv_resnext = {"encoder", tv_resnext_keys};
TV_ENCODER_KEYS(tv_squeezenet_keys, "squeezenet", "1_0", "1_0|1_1");
const lc_section lc_sec_tv_squeezenet = {"encoder", tv_squeezenet_keys};

/* torchvision's DenseNet (Ludwig's TVDenseNetEncoderConfig: model_variant an IntegerOptions of
 * 121, 161, 169, 201, checked in config.c) */
TV_KEYS(tv_densenet_keys, "densenet", {"model_variant", T_INT, "121", 121, 201, NULL, NULL, 0, NULL});
const lc_section lc_sec_tv_densenet = {"encoder", tv_densenet_keys};
/* regnet: Ludwig's list and default (x_1_6gf) */
TV_ENCODER_KEYS(tv_regnet_keys, "regnet", "x_1_6gf",
                "x_1_6gf|x_16gf|x_32gf|x_3_2gf|x_400mf|x_800mf|x_8gf|y_128gf|y_16gf|y_1_6gf|y_32gf|y_3_2gf|y_400mf|y_800mf|y_8gf");
const lc_section lc_sec_tv_regnet = {"encoder", tv_regnet_keys};
TV_ENCODER_KEYS(tv_mnasnet_keys, "mnasnet", "0_5", "0_5|0_75|1_0|1_3");
const lc_section lc_sec_tv_mnasnet = {"encoder", tv_mnasnet_keys};

/* torchvision's VGG (Ludwig's TVVGGEncoderConfig): model_variant one of the integers 11, 13,
 * 16, 19 (default 11; checked in config.c) or the strings 11_bn, 13_bn, 16_bn, 19_bn */
TV_KEYS(tv_vgg_keys, "vgg", {"model_variant", T_INT | T_STR, "11", 11, 19, "11_bn|13_bn|16_bn|19_bn", NULL, 0, NULL});
const lc_section lc_sec_tv_vgg = {"encoder", tv_vgg_keys};
TV_ENCODER_KEYS(tv_alexnet_keys, "alexnet", "base", "base");
const lc_section lc_sec_tv_alexnet = {"encoder", tv_alexnet_keys};
TV_ENCODER_KEYS(tv_shufflenetv2_keys, "shufflenet_v2", "x0_5", "x0_5|x1_0|x1_5|x2_0");
const lc_section lc_sec_tv_shufflenetv2 = {"encoder", tv_shufflenetv2_keys};
/* swin_transformer: Ludwig's list (t, s, b) and default (t) */
TV_ENCODER_KEYS(tv_swin_keys, "swin_transformer", "t", "t|s|b");
const lc_section lc_sec_tv_swin = {"encoder", tv_swin_keys};
TV_ENCODER_KEYS(tv_convnext_keys, "convnext", "base", "tiny|small|base|large");
const lc_section lc_sec_tv_convnext = {"encoder", tv_convnext_keys};
TV_ENCODER_KEYS(tv_googlenet_keys, "googlenet", "base", "base");
const lc_section lc_sec_tv_googlenet = {"encoder", tv_googlenet_keys};
TV_ENCODER_KEYS(tv_inceptionv3_keys, "inceptionv3", "base", "base");
const lc_section lc_sec_tv_inceptionv3 = {"encoder", tv_inceptionv3_keys};
/* maxvit: Ludwig's list (t) and default (t) */
TV_ENCODER_KEYS(tv_maxvit_keys, "maxvit", "t", "t");
const lc_section lc_sec_tv_maxvit = {"encoder", tv_maxvit_keys};

/* Ludwig's own MLPMixer (MLPMixerConfig, in its dataclass order: BaseEncoderConfig's type and
 * skip, then dropout, height, width, num_channels (set from the image's metadata, as Ludwig's
 * update_config_with_metadata does), patch_size, embed_size, token_size, channel_dim,
 * num_layers, avg_pool) */
static const lc_key mlp_mixer_keys[] = {
    {"type", T_STR, "\"mlp_mixer\"", 0, 0, "mlp_mixer", NULL, 0, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"height", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"width", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_channels", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"patch_size", T_INT, "16", 1, BIG, NULL, NULL, 0, NULL},
    {"embed_size", T_INT, "512", 1, BIG, NULL, NULL, 0, NULL},
    {"token_size", T_INT, "2048", 1, BIG, NULL, NULL, 0, NULL},
    {"channel_dim", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"num_layers", T_INT, "8", 1, BIG, NULL, NULL, 0, NULL},
    {"avg_pool", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_mlp_mixer = {"encoder", mlp_mixer_keys};
/* HuggingFace ViT (Ludwig's ViTConfig for `_vit_legacy`, in its dataclass order). height and
 * width are the preprocessing's (Ludwig writes the metadata's over them); gradient_checkpointing
 * changes only torch's memory. */
static const lc_key vit_legacy_keys[] = {
    {"type", T_STR, "\"_vit_legacy\"", 0, 0, "_vit_legacy", NULL, 0, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"height", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"width", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_hidden_layers", T_INT, "12", 1, BIG, NULL, NULL, 0, NULL},
    {"hidden_size", T_INT, "768", 1, BIG, NULL, NULL, 0, NULL},
    {"hidden_act", T_STR, "\"gelu\"", 0, 0, "relu|gelu|selu|gelu_new", NULL, 0, NULL},
    {"hidden_dropout_prob", T_FLOAT, "0.1", 0, 1, NULL, NULL, 0, NULL},
    {"num_attention_heads", T_INT, "12", 1, BIG, NULL, NULL, 0, NULL},
    {"attention_probs_dropout_prob", T_FLOAT, "0.1", 0, 1, NULL, NULL, 0, NULL},
    {"intermediate_size", T_INT, "3072", 1, BIG, NULL, NULL, 0, NULL},
    {"initializer_range", T_FLOAT, "0.02", 0, BIG, NULL, NULL, 0, NULL},
    {"layer_norm_eps", T_FLOAT, "1e-12", 0, BIG, NULL, NULL, 0, NULL},
    {"gradient_checkpointing", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"patch_size", T_INT, "16", 1, BIG, NULL, NULL, 0, NULL},
    {"saved_weights_in_checkpoint", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"trainable", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"use_pretrained", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"pretrained_model", T_STR, "\"google/vit-base-patch16-224\"", 0, 0, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_vit_legacy = {"encoder", vit_legacy_keys};

static const lc_key image_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"bfill\"", 0, 0, MISSING, NULL, 0, NULL},
    {"fill_value", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"height", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"width", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"num_channels", T_INT | T_NULL, "null", 1, 4, NULL, NULL, 0, NULL},
    {"resize_method", T_STR, "\"interpolate\"", 0, 0, "interpolate|crop_or_pad", NULL, 0, NULL},
    {"infer_image_num_channels", T_BOOL, "true", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"infer_image_dimensions", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"infer_image_max_height", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"infer_image_max_width", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"infer_image_sample_size", T_INT, "100", 1, BIG, NULL, NULL, 0, NULL},
    {"infer_image_num_classes", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"standardize_image", T_STR | T_NULL, "null", 0, 0, "imagenet1k", NULL, 0, NULL},
    {"in_memory", T_BOOL, "true", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"num_processes", T_INT, "1", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"requires_equal_dimensions", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"num_classes", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_image_pre = {"preprocessing", image_pre_keys};

static const lc_key image_feature_keys[] = {
    {"name", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"type", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"column", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"proc_column", T_STR, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"active", T_BOOL, "true", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"augmentation", T_BOOL | T_MAPLIST, "[]", 0, 0, NULL, NULL, 0, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_image_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, NULL, 0, 0, NULL, &lc_sec_stacked_cnn, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_image_feature = {"input_features[]", image_feature_keys};

static const lc_key category_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"drop_row\"", 0, 0, MISSING, NULL, 0, NULL},
    {"fill_value", T_STR | T_NULL, "\"<UNK>\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR | T_NULL, "\"<UNK>\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"lowercase", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"most_common", T_INT, "10000", 1, BIG, NULL, NULL, 0, NULL},
    {"cache_encoder_embeddings", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_category_pre = {"preprocessing", category_pre_keys};

static const lc_key classifier_keys[] = {
    {"type", T_STR, "\"classifier\"", 0, 0, "classifier", NULL, 0, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_classes", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"bias_initializer", T_STR, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"fc_output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"fc_use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"fc_weights_initializer", T_STR, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"fc_bias_initializer", T_STR, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"fc_norm", T_STR | T_NULL, "null", 0, 0, "batch|layer", NULL, 0, NULL},
    {"fc_norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"fc_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"fc_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_classifier = {"decoder", classifier_keys};

static const lc_key xent_keys[] = {
    {"type", T_STR, "\"softmax_cross_entropy\"", 0, 0, "softmax_cross_entropy", NULL, 0, NULL},
    {"class_weights", T_NUMLIST | T_MAP | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"weight", T_FLOAT, "1.0", 0, BIG, NULL, NULL, 0, NULL},
    {"robust_lambda", T_FLOAT, "0", 0, 1, NULL, NULL, F_IGNORED, NULL},
    {"confidence_penalty", T_FLOAT, "0", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"class_similarities", T_MAP | T_NUMLIST | T_NULL, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"class_similarities_temperature", T_FLOAT, "0", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_xent = {"loss", xent_keys};

static const lc_key category_out_keys[] = {
    {"name", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"type", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"column", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"proc_column", T_STR, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"active", T_BOOL, "true", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"calibration", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"default_validation_metric", T_STR, "\"accuracy\"", 0, 0, "accuracy", NULL, 0, NULL},
    {"dependencies", T_NUMLIST, "[]", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"reduce_dependencies", T_STR, "\"sum\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"reduce_input", T_STR, "\"sum\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"top_k", T_INT, "3", 1, BIG, NULL, NULL, 0, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_classes", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"decoder", T_MAP, "{}", 0, 0, NULL, &lc_sec_classifier, 0, NULL},
    {"loss", T_MAP, "{}", 0, 0, NULL, &lc_sec_xent, 0, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_category_pre, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_category_output = {"output_features[]", category_out_keys};

static const lc_key concat_keys[] = {
    {"type", T_STR, "\"concat\"", 0, 0, "concat", NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"bias_initializer", T_STR, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"flatten_inputs", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, "batch|layer", NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"residual", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_combiner = {"combiner", concat_keys};

static const lc_key optimizer_keys[] = {
    {"type", T_STR, "\"adam\"", 0, 0, "sgd|adam|adamw|adagrad|adamax|nadam|rmsprop", NULL, 0,
     NULL},
    {"betas", T_NUMLIST, NULL, 0, 1, NULL, NULL, 0, NULL},
    {"eps", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"weight_decay", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"amsgrad", T_BOOL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"momentum", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"dampening", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"nesterov", T_BOOL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"alpha", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"centered", T_BOOL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"initial_accumulator_value", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"lr_decay", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {"momentum_decay", T_FLOAT, NULL, 0, BIG, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_optimizer = {"optimizer", optimizer_keys};

static const lc_key clip_keys[] = {
    {"clipglobalnorm", T_FLOAT | T_NULL, "0.5", 0, BIG, NULL, NULL, 0, NULL},
    {"clipnorm", T_FLOAT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"clipvalue", T_FLOAT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_clip = {"gradient_clipping", clip_keys};

static const lc_key lrs_keys[] = {
    {"decay", T_STR | T_NULL, "null", 0, 0, "linear|exponential|cosine", NULL, 0,
     NULL},
    {"decay_rate", T_FLOAT, "0.96", 0, BIG, NULL, NULL, 0, NULL},
    {"decay_steps", T_INT, "10000", 0, BIG, NULL, NULL, 0, NULL},
    {"eta_min", T_FLOAT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"reduce_eval_metric", T_STR, "\"loss\"", 0, 0, NULL, NULL, 0, NULL},
    {"reduce_eval_split", T_STR, "\"training\"", 0, 0, "training|validation|test", NULL, 0, NULL},
    {"reduce_on_plateau", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"reduce_on_plateau_patience", T_INT, "10", 0, BIG, NULL, NULL, 0, NULL},
    {"reduce_on_plateau_rate", T_FLOAT, "0.1", 0, BIG, NULL, NULL, 0, NULL},
    {"staircase", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"t_0", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"t_mult", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"warmup_evaluations", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"warmup_fraction", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_lrs = {"learning_rate_scheduler", lrs_keys};

static const lc_key trainer_keys[] = {
    {"type", T_STR, NULL, 0, 0, "trainer|ecd", NULL, F_IGNORED, NULL},
    {"batch_size", T_INT | T_STR, "\"auto\"", 1, BIG, "auto", NULL, 0, NULL},
    {"bucketing_field", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"checkpoints_per_epoch", T_INT, "0", 0, BIG, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"compile", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"early_stop", T_INT, "5", -1, BIG, NULL, NULL, 0, NULL},
    {"effective_batch_size", T_INT | T_STR, "\"auto\"", 1, BIG, "auto", NULL, F_IGNORED, NULL},
    {"enable_gradient_checkpointing", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"enable_profiling", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"epochs", T_INT, "100", 1, BIG, NULL, NULL, 0, NULL},
    {"eval_batch_size", T_INT | T_STR | T_NULL, "null", 1, BIG, "auto", NULL, 0, NULL},
    {"eval_steps", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"evaluate_training_set", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"gradient_accumulation_steps", T_INT | T_STR, "1", 1, BIG, "auto", NULL, F_DEFAULT_ONLY,
     NULL},
    {"gradient_clipping", T_MAP | T_NULL, "{}", 0, 0, NULL, &lc_sec_clip, 0, NULL},
    {"increase_batch_size_eval_metric", T_STR, "\"loss\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"increase_batch_size_eval_split", T_STR, "\"training\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"increase_batch_size_on_plateau", T_INT, "0", 0, BIG, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"increase_batch_size_on_plateau_patience", T_INT, "5", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"increase_batch_size_on_plateau_rate", T_FLOAT, "2.0", 0, BIG, NULL, NULL, F_IGNORED, NULL},
    {"learning_rate", T_FLOAT | T_STR, "0.001", 0, BIG, "auto", NULL, F_EXCL_MIN, NULL},
    {"learning_rate_scaling", T_STR, "\"linear\"", 0, 0, "constant|sqrt|linear", NULL, F_IGNORED,
     NULL},
    {"learning_rate_scheduler", T_MAP, "{}", 0, 0, NULL, &lc_sec_lrs, 0, NULL},
    {"max_batch_size", T_INT, "1099511627776", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"optimizer", T_MAP, "{}", 0, 0, NULL, &lc_sec_optimizer, 0, NULL},
    {"profiler", T_MAP, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"regularization_lambda", T_FLOAT, "0.0", 0, BIG, NULL, NULL, 0, NULL},
    {"regularization_type", T_STR, "\"l2\"", 0, 0, "l1|l2|l1_l2", NULL, 0, NULL},
    {"should_shuffle", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"skip_all_evaluation", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"steps_per_checkpoint", T_INT, "0", 0, BIG, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"train_steps", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"use_mixed_precision", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"validation_field", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"validation_metric", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_trainer = {"trainer", trainer_keys};

static const lc_key split_keys[] = {
    {"type", T_STR, "\"random\"", 0, 0, "random|fixed|stratify|hash|datetime", NULL, 0, NULL},
    {"column", T_STR | T_NULL, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"probabilities", T_NUMLIST, NULL, 0, 1, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_split = {"split", split_keys};

static const lc_key preprocessing_keys[] = {
    {"split", T_MAP, "{}", 0, 0, NULL, &lc_sec_split, 0, NULL},
    {"sample_ratio", T_FLOAT, "1.0", 0, 1, NULL, NULL, F_EXCL_MIN, NULL},
    {"sample_size", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"oversample_minority", T_FLOAT | T_NULL, "null", 0, BIG, NULL, NULL, F_EXCL_MIN, NULL},
    {"undersample_majority", T_FLOAT | T_NULL, "null", 0, BIG, NULL, NULL, F_EXCL_MIN, NULL},
    {"global_max_sequence_length", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    /* older top-level preprocessing keys Ludwig 0.10.3 drops with a warning */
    {"num_processes", T_INT | T_NULL, NULL, 0, BIG, NULL, NULL, F_DROPPED, NULL},
    {"in_memory", T_BOOL | T_NULL, NULL, 0, 0, NULL, NULL, F_DROPPED, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_preprocessing = {"preprocessing", preprocessing_keys};

static const lc_key top_keys[] = {
    {"input_features", T_MAPLIST, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"output_features", T_MAPLIST, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"combiner", T_MAP, "{}", 0, 0, NULL, &lc_sec_combiner, 0, NULL},
    {"trainer", T_MAP, "{}", 0, 0, NULL, &lc_sec_trainer, 0, NULL},
    {"training", T_MAP, NULL, 0, 0, NULL, &lc_sec_trainer, 0, "trainer"},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_preprocessing, 0, NULL},
    {"defaults", T_MAP, NULL, 0, 0, NULL, NULL, 0, NULL}, /* config.c's defaults_read */
    {"hyperopt", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"backend", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"ludwig_version", T_STR, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"model_type", T_STR, "\"ecd\"", 0, 0, "ecd", NULL, 0, NULL},
    /* LLM configs (model_type: llm) carry these; build() names the model type instead */
    {"base_model", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"adapter", T_MAP, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"prompt", T_MAP, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"quantization", T_MAP, NULL, 0, 0, NULL, NULL, 0, NULL},
    {"generation", T_MAP, NULL, 0, 0, NULL, NULL, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL},
};
const lc_section lc_sec_top = {"", top_keys};
