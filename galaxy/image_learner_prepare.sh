#!/bin/sh
# The preparation step of Image Learner (galaxy/image_learner.xml), in POSIX sh and awk (no
# Python in the job): reads the metadata table as upstream's Image Learner reads it (an image
# column, a label column and an optional `split` column), decides from it what upstream decides
# (the output feature's type, the split, a validation metric Ludwig accepts for that type) and
# writes the Ludwig config that `ludwig-c experiment` then trains and evaluates.
#
# Upstream's behaviour, from goeckslab/gleam tools/imagelearner (ludwig_backend.py
# prepare_config, image_workflow.py, split_data.py, utils.py aug_parse, constants.py):
#  - output type: a numeric label with more than 10 values is a regression (number, regressor,
#    mean squared error); 2 values a binary output (binary weighted cross entropy, the optional
#    threshold); otherwise a category output (softmax cross entropy). Here an explicit task
#    overrides that guess: binary (needs two values), classification (binary for two values,
#    else category), regression (needs numbers).
#  - split: a `split` column of 0/1/2 is used as it is; one holding only 0 and 2 gets about 15%
#    of each label's training rows moved to validation (1); without one, a split stratified by
#    label with the given probabilities (random when a class has fewer rows than the non-zero
#    splits, or for a regression).
#  - validation metric: the requested one (mae, mse, rmse, rmspe, mape as aliases) when the
#    output type has it, else the type's default (roc_auc, accuracy, mean_squared_error).
#  - pretrained backbones: trainable is the fine-tune choice; from scratch always trainable.
#  - augmentation: each chosen operation with upstream's fixed parameters.
#
# usage: image_learner_prepare.sh --dataset FILE --config OUT.yaml [--data_format csv|tsv]
#   [--model_name NAME] [--use_pretrained true|false] [--fine_tune true|false]
#   [--image_resize original|HxW] [--augmentation a,b,...] [--task auto|binary|classification|regression]
#   [--validation_metric M] [--target_column NAME|N] [--image_column NAME|N] [--epochs N]
#   [--early_stop N] [--learning_rate X] [--batch_size N] [--split_probabilities P P P]
#   [--threshold X] [--random_seed N]
# When the split column holds only 0 and 2, FILE is replaced by the re-split table (a symbolic
# link is replaced, its target left alone). Exit 1 on a problem with the inputs, 2 on bad usage.
set -eu

die() { printf 'image_learner: error: %s\n' "$*" >&2; exit 1; }
usage() { printf 'image_learner_prepare.sh: %s\n' "$*" >&2; exit 2; }
note() { printf 'image_learner: %s\n' "$*" >&2; }

dataset='' config='' fmt=csv model=resnet18 use_pretrained=false fine_tune=false
resize=original augmentation='' task=auto metric='' target=label image=image_path
epochs=10 early_stop=5 lr=auto batch=auto p_train=0.7 p_val=0.1 p_test=0.2 threshold='' seed=42
while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
        --split_probabilities)
            [ $# -ge 4 ] || usage "$opt needs three values"
            p_train=$2 p_val=$3 p_test=$4
            shift 4
            continue ;;
        --*) [ $# -ge 2 ] || usage "$opt needs a value" ;;
        *) usage "unexpected argument '$opt'" ;;
    esac
    v=$2
    shift 2
    case $opt in
        --dataset) dataset=$v ;;
        --config) config=$v ;;
        --data_format) fmt=$v ;;
        --model_name) model=$v ;;
        --use_pretrained) use_pretrained=$v ;;
        --fine_tune) fine_tune=$v ;;
        --image_resize) resize=$v ;;
        --augmentation) augmentation=$v ;;
        --task) task=$v ;;
        --validation_metric) metric=$v ;;
        --target_column) target=$v ;;
        --image_column) image=$v ;;
        --epochs) epochs=$v ;;
        --early_stop) early_stop=$v ;;
        --learning_rate) lr=$v ;;
        --batch_size) batch=$v ;;
        --threshold) threshold=$v ;;
        --random_seed) seed=$v ;;
        *) usage "unknown option '$opt'" ;;
    esac
done
if [ -z "$dataset" ] || [ -z "$config" ]; then usage "--dataset and --config are required"; fi
[ -r "$dataset" ] || die "cannot read the metadata table '$dataset'"

# Galaxy leaves an empty optional value as 'None'
[ "$seed" = None ] || [ -z "$seed" ] && seed=42
[ "$threshold" = None ] && threshold=''
[ "$metric" = None ] && metric=''
[ "$augmentation" = None ] && augmentation=''
[ -z "$target" ] || [ "$target" = None ] && target=label
[ -z "$image" ] || [ "$image" = None ] && image=image_path

is_int() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
is_num() { printf '%s\n' "$1" | grep -Eq '^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$|^[0-9]+\.$'; }
is_bool() { case $1 in true | false) return 0 ;; esac; return 1; }
if ! is_int "$epochs" || [ "$epochs" -lt 1 ]; then usage "--epochs must be a positive integer, not '$epochs'"; fi
is_int "$early_stop" || usage "--early_stop must be an integer, not '$early_stop'"
is_int "$seed" || usage "--random_seed must be an integer, not '$seed'"
[ "$batch" = auto ] || { is_int "$batch" && [ "$batch" -ge 1 ]; } || usage "--batch_size must be a positive integer, not '$batch'"
[ "$lr" = auto ] || is_num "$lr" || usage "--learning_rate must be a number, not '$lr'"
[ -z "$threshold" ] || is_num "$threshold" || usage "--threshold must be a number, not '$threshold'"
for p in "$p_train" "$p_val" "$p_test"; do
    is_num "$p" || usage "--split_probabilities must be three numbers, not '$p_train $p_val $p_test'"
done
if ! is_bool "$use_pretrained" || ! is_bool "$fine_tune"; then usage "--use_pretrained and --fine_tune take true or false"; fi
case $fmt in
    csv) sep=',' ;;
    tsv) sep='	' ;;
    *) usage "--data_format must be csv or tsv, not '$fmt'" ;;
esac
case $task in auto | binary | classification | regression) ;; *) usage "unknown --task '$task'" ;; esac

# --- the backbone: Ludwig's encoder type and model_variant, as upstream's MODEL_ENCODER_TEMPLATES
variant=''
case $model in
    stacked_cnn) enc=stacked_cnn ;;
    resnet18 | resnet34 | resnet50 | resnet101 | resnet152) enc=resnet variant=${model#resnet} ;;
    resnext*) enc=resnext variant="'${model#resnext}'" ;;
    wide_resnet*) enc=wide_resnet variant="'${model#wide_resnet}'" ;;
    efficientnet_*) enc=efficientnet variant="'${model#efficientnet_}'" ;;
    regnet_*) enc=regnet variant="'${model#regnet_}'" ;;
    vgg11 | vgg13 | vgg16 | vgg19) enc=vgg variant=${model#vgg} ;;
    vgg*_bn) enc=vgg variant="'${model#vgg}'" ;;
    shufflenet_v2_*) enc=shufflenet_v2 variant="'${model#shufflenet_v2_}'" ;;
    squeezenet*) enc=squeezenet variant="'${model#squeezenet}'" ;;
    swin_*) enc=swin_transformer variant="'${model#swin_}'" ;;
    vit_*) enc=vit variant="'${model#vit_}'" ;;
    convnext_*) enc=convnext variant="'${model#convnext_}'" ;;
    maxvit_*) enc=maxvit variant="'${model#maxvit_}'" ;;
    alexnet | googlenet) enc=$model ;;
    # upstream writes type mobilenet_v2, a name Ludwig 0.10.3 has no encoder for; its MobileNetV2
    # encoder is mobilenetv2
    mobilenet_v2) enc=mobilenetv2 ;;
    inception_v3) enc=inceptionv3 ;;
    mobilenet_v3_*) enc=mobilenetv3 variant="'${model#mobilenet_v3_}'" ;;
    # upstream's MetaFormer family is its own patch of Ludwig's stacked_cnn (custom_model), not
    # a Ludwig encoder: named as the encoder type, ludwig-c refuses it by that name
    identityformer_* | randformer_* | poolformerv2_* | convformer_* | caformer_*) enc=$model ;;
    *) usage "unknown --model_name '$model'" ;;
esac
# upstream: pretrained weights are fine-tuned only when asked; from scratch, everything trains
if [ "$use_pretrained" = true ]; then trainable=$fine_tune; else trainable=true; fi

height='' width=''
case $resize in
    original) ;;
    *x*)
        height=${resize%%x*} width=${resize#*x}
        if ! is_int "$height" || ! is_int "$width" || [ "$height" -eq 0 ] || [ "$width" -eq 0 ]; then
            usage "--image_resize must be original or HEIGHTxWIDTH, not '$resize'"
        fi ;;
    *) usage "--image_resize must be original or HEIGHTxWIDTH, not '$resize'" ;;
esac

# --- the table: one awk pass over it ------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/image_learner.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# CSV records as Python's csv module and pandas read them (RFC 4180 quoting, a doubled quote
# inside quotes), one record per line; a TSV record is split at tabs. F[i]: the values, R[i]: the
# fields as written.
AWK_RECORD='
function record(s,    n, i, c, q, cur, raw) {
    if (SEP != "," || index(s, "\"") == 0) {
        n = split(s, F, SEP)
        for (i = 1; i <= n; i++) R[i] = F[i]
        return n
    }
    n = 0; cur = ""; raw = ""; q = 0
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q) {
            if (c == "\"" && substr(s, i + 1, 1) == "\"") { cur = cur c; raw = raw c c; i++ }
            else if (c == "\"") { q = 0; raw = raw c }
            else { cur = cur c; raw = raw c }
        } else if (c == "\"") { q = 1; raw = raw c }
        else if (c == SEP) { F[++n] = cur; R[n] = raw; cur = ""; raw = "" }
        else { cur = cur c; raw = raw c }
    }
    if (q) return -1
    F[++n] = cur; R[n] = raw
    return n
}
function fail(msg) { print "error\t" msg; failed = 1; exit }
'

awk -v SEP="$sep" -v TARGET="$target" -v IMAGE="$image" -v SEED="$seed" "$AWK_RECORD"'
# the column a name or a 1-based number names, as upstream resolves them
function column(want, what,    i) {
    if (want in idx) return idx[want]
    if (want ~ /^[0-9]+$/) {
        if (want + 0 >= 1 && want + 0 <= ncol) return want + 0
        fail(what " column number " want " is not one of the table'"'"'s " ncol " columns")
    }
    fail("the table has no " what " column '"'"'" want "'"'"' (its columns: " header ")")
}
BEGIN {
    split("#N/A|#N/A N/A|#NA|-1.#IND|-1.#QNAN|-NaN|-nan|1.#IND|1.#QNAN|<NA>|N/A|NA|NULL|NaN|None|n/a|nan|null", t, "|")
    for (i in t) NA[t[i]] = 1
    NA[""] = 1
    numeric = 1; nlab = 0; rows = 0
}
{ sub(/\r$/, "") }
NR == 1 {
    sub(/^\357\273\277/, "")
    ncol = record($0)
    if (ncol < 0) fail("the header line has a quote that is not closed")
    for (i = 1; i <= ncol; i++) {
        if (!(F[i] in idx)) idx[F[i]] = i
        header = header (i > 1 ? ", " : "") F[i]
    }
    lc = column(TARGET, "label")
    ic = column(IMAGE, "image")
    sc = ("split" in idx) ? idx["split"] : 0
    if (sc == lc || sc == ic) sc = 0
    print "label_column\t" F[lc]
    print "image_column\t" F[ic]
    next
}
$0 == "" { next }
{
    n = record($0)
    if (n < 0) fail("line " NR " has a quote that is not closed (values spanning lines are not supported)")
    rows++
    v = (lc <= n) ? F[lc] : ""
    if (!(v in NA)) {
        if (!(v in count)) { lab[++nlab] = v }
        count[v]++
        if (v !~ /^[ \t]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[ \t]*$/) numeric = 0
    }
    if (sc) {
        s = (sc <= n) ? F[sc] : ""
        if (s !~ /^[ \t]*[0-9]+([.]0*)?[ \t]*$/ || s + 0 > 2)
            fail("line " NR ": split value '"'"'" s "'"'"'; the split column holds 0 (training), 1 (validation) or 2 (test)")
        sv[s + 0]++
        if (s + 0 == 0) {
            # a training row: its label, a draw from the seed and the line, the line
            key = v; gsub(/\t/, " ", key)
            h = (SEED * 7919 + NR) % 2147483647 + 1
            for (k = 0; k < 3; k++) h = (h * 16807) % 2147483647
            print key "\t" h "\t" NR > CARVE
        }
    }
}
END {
    if (failed) exit 1
    if (NR < 2) { print "error\tthe table has no rows"; exit 1 }
    print "rows\t" rows
    print "labels\t" nlab
    print "numeric\t" (nlab ? numeric : 0)
    min = -1; shown = ""
    for (i = 1; i <= nlab; i++) {
        if (min < 0 || count[lab[i]] < min) min = count[lab[i]]
        if (i <= 10) shown = shown (i > 1 ? ", " : "") lab[i]
    }
    print "min_class\t" min
    print "label_values\t" shown (nlab > 10 ? ", ..." : "")
    if (sc) print "split\t" (0 in sv ? "0" : "") (1 in sv ? "1" : "") (2 in sv ? "2" : "")
    else print "split\tnone"
}' CARVE="$tmp/train_rows" "$dataset" > "$tmp/scan" || {
    msg=$(sed -n 's/^error\t//p' "$tmp/scan")
    die "${msg:-cannot read the metadata table $dataset}"
}

label_col='' image_col='' rows=0 labels=0 numeric=0 min_class=0 label_values='' split=none
while IFS='	' read -r k v; do
    case $k in
        label_column) label_col=$v ;;
        image_column) image_col=$v ;;
        rows) rows=$v ;;
        labels) labels=$v ;;
        numeric) numeric=$v ;;
        min_class) min_class=$v ;;
        label_values) label_values=$v ;;
        split) split=$v ;;
    esac
done < "$tmp/scan"
[ "$labels" -ge 1 ] || die "the label column '$label_col' has no values"

# --- the output feature --------------------------------------------------------------------------
what="the label column '$label_col' ($labels distinct value(s): $label_values)"
case $task in
    auto)
        if [ "$numeric" = 1 ] && [ "$labels" -gt 10 ]; then out=number
        elif [ "$labels" -eq 2 ]; then out=binary
        else out=category; fi ;;
    binary)
        [ "$labels" -eq 2 ] || die "binary classification needs two labels; $what"
        out=binary ;;
    classification)
        if [ "$labels" -eq 2 ]; then out=binary; else out=category; fi ;;
    regression)
        [ "$numeric" = 1 ] || die "regression needs numbers; $what"
        out=number ;;
esac
note "$what: a $out output (task: $task)"

# --- the validation metric: the one asked for when the output type has it -----------------------
case $out in
    binary) allowed='accuracy loss precision recall roc_auc specificity' default=roc_auc ;;
    category) allowed='accuracy accuracy_micro hits_at_k loss roc_auc' default=accuracy ;;
    number)
        allowed='loss mean_absolute_error mean_absolute_percentage_error mean_squared_error r2 root_mean_squared_error root_mean_squared_percentage_error'
        default=mean_squared_error ;;
esac
case $metric in
    mae) metric=mean_absolute_error ;;
    mse) metric=mean_squared_error ;;
    rmse) metric=root_mean_squared_error ;;
    rmspe) metric=root_mean_squared_percentage_error ;;
    mape) metric=mean_absolute_percentage_error ;;
esac
if [ -z "$metric" ]; then
    metric=$default
else
    case " $allowed " in
        *" $metric "*) ;;
        *) note "validation metric '$metric' is not one of a $out output's ($allowed): using '$default'"
           metric=$default ;;
    esac
fi

# --- the split -------------------------------------------------------------------------------------
case $split in
    none)
        ok=$(awk -v a="$p_train" -v b="$p_val" -v c="$p_test" 'BEGIN { s = a + b + c; print (s - 1 < 1e-6 && 1 - s < 1e-6) ? 1 : 0 }')
        [ "$ok" = 1 ] || die "the split probabilities $p_train + $p_val + $p_test must add up to 1"
        active=0
        for p in "$p_train" "$p_val" "$p_test"; do
            [ "$(awk -v p="$p" 'BEGIN { print (p > 0) }')" = 1 ] && active=$((active + 1))
        done
        if [ "$out" != number ] && [ "$min_class" -ge "$active" ]; then
            split_type=stratify
            note "no split column: a random split stratified by '$label_col' ($p_train, $p_val, $p_test) with seed $seed"
        else
            split_type=random
            note "no split column: a random split ($p_train, $p_val, $p_test) with seed $seed"
        fi ;;
    02)
        # upstream's split_data_0_2: part of each label's training rows become validation rows
        LC_ALL=C sort -t '	' -k1,1 -k2,2n -k3,3n "$tmp/train_rows" | awk -F '	' '
            function flush(    k, i) {
                k = int(n * 0.15 + 0.5)
                if (k < 1 && n >= 2) k = 1
                if (k >= n) k = n - 1
                for (i = 1; i <= k; i++) print line[i]
            }
            $1 != last && NR > 1 { flush(); n = 0 }
            { last = $1; line[++n] = $3 }
            END { if (n) flush() }' > "$tmp/validation_rows"
        moved=$(wc -l < "$tmp/validation_rows" | tr -d ' ')
        awk -v SEP="$sep" -v MOVED="$tmp/validation_rows" "$AWK_RECORD"'
            BEGIN { while ((getline l < MOVED) > 0) val[l] = 1 }
            { sub(/\r$/, "") }
            NR == 1 {
                sub(/^\357\273\277/, "")
                n = record($0)
                for (i = 1; i <= n; i++) if (F[i] == "split" && !sc) sc = i
                print
                next
            }
            !(NR in val) { print; next }
            {
                n = record($0)
                R[sc] = "1"
                out = R[1]
                for (i = 2; i <= n; i++) out = out SEP R[i]
                print out
            }' "$dataset" > "$tmp/resplit"
        rm -f "$dataset"
        cp "$tmp/resplit" "$dataset"
        split_type=fixed
        note "the split column holds training (0) and test (2) rows only: $moved training row(s), about 15% of each label's, moved to validation (1) with seed $seed" ;;
    *)
        split_type=fixed
        note "the split column is used as it is (values: $(echo "$split" | sed 's/./&,/g; s/,$//'))" ;;
esac

# --- the config -----------------------------------------------------------------------------------
yq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
{
    echo "# written by Image Learner (image_learner_prepare.sh) for ludwig-c experiment"
    echo "model_type: ecd"
    echo "input_features:"
    echo "  - name: $(yq "$image_col")"
    echo "    type: image"
    echo "    encoder:"
    echo "      type: $enc"
    [ -z "$variant" ] || echo "      model_variant: $variant"
    if [ "$enc" != stacked_cnn ]; then
        echo "      use_pretrained: $use_pretrained"
        echo "      trainable: $trainable"
    fi
    if [ -n "$height" ]; then
        echo "    preprocessing:"
        echo "      height: $height"
        echo "      width: $width"
    fi
    if [ -n "$augmentation" ]; then
        echo "    augmentation:"
        for a in $(echo "$augmentation" | tr ',' ' '); do
            case $a in
                random_horizontal_flip | random_vertical_flip) echo "      - type: $a" ;;
                random_rotate) printf '      - type: %s\n        degree: 10\n' "$a" ;;
                random_blur) printf '      - type: %s\n        kernel_size: 3\n' "$a" ;;
                random_brightness | random_contrast) printf '      - type: %s\n        min: 0.5\n        max: 2.0\n' "$a" ;;
                *) usage "unknown augmentation '$a' (random_horizontal_flip, random_vertical_flip, random_rotate, random_blur, random_brightness, random_contrast)" ;;
            esac
        done
    fi
    echo "output_features:"
    echo "  - name: $(yq "$label_col")"
    echo "    type: $out"
    case $out in
        binary)
            [ -z "$threshold" ] || echo "    threshold: $threshold"
            printf '    loss:\n      type: binary_weighted_cross_entropy\n' ;;
        category) printf '    loss:\n      type: softmax_cross_entropy\n' ;;
        number) printf '    decoder:\n      type: regressor\n    loss:\n      type: mean_squared_error\n' ;;
    esac
    echo "combiner:"
    echo "  type: concat"
    echo "trainer:"
    echo "  epochs: $epochs"
    echo "  early_stop: $early_stop"
    echo "  batch_size: $batch"
    echo "  learning_rate: $lr"
    echo "  validation_metric: $metric"
    echo "preprocessing:"
    echo "  split:"
    echo "    type: $split_type"
    case $split_type in
        fixed) echo "    column: split" ;;
        stratify) echo "    column: $(yq "$label_col")" ;;
    esac
    [ "$split_type" = fixed ] || echo "    probabilities: [$p_train, $p_val, $p_test]"
} > "$config"
note "$rows row(s); config for ludwig-c experiment written to $config"
