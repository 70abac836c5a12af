/* lc_config_schema.h - the Ludwig config sections (tables in config_schema.c). */
#ifndef LC_CONFIG_SCHEMA_H
#define LC_CONFIG_SCHEMA_H

#include "lc_schema.h"

extern const lc_section lc_sec_conv_layer, lc_sec_fc_layer, lc_sec_stacked_cnn, lc_sec_tv_resnet, lc_sec_tv_wide_resnet,
    lc_sec_tv_mobilenetv3, lc_sec_tv_efficientnet, lc_sec_tv_vit, lc_sec_tv_resnext, lc_sec_tv_mobilenetv2,
    lc_sec_tv_densenet, lc_sec_tv_squeezenet,
    lc_sec_tv_regnet, lc_sec_tv_mnasnet,
    lc_sec_tv_vgg, lc_sec_tv_alexnet,
    lc_sec_tv_shufflenetv2,
    lc_sec_tv_swin,
    lc_sec_tv_convnext,
    lc_sec_tv_googlenet, lc_sec_tv_inceptionv3,
    lc_sec_mlp_mixer,
    lc_sec_resnet_legacy,
    lc_sec_vit_legacy,
    lc_sec_tv_maxvit,
    lc_sec_image_pre,
    lc_sec_image_feature, lc_sec_category_pre, lc_sec_classifier, lc_sec_xent,
    lc_sec_category_output, lc_sec_combiner, lc_sec_optimizer, lc_sec_clip, lc_sec_lrs,
    lc_sec_trainer, lc_sec_split, lc_sec_preprocessing, lc_sec_top;

#endif
