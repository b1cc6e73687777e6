"""What the interop-tier generators share: a case folder with the model compiled and saved by Keras in both file
forms, and the reference.npz keys of a model's inputs. Imported by the scripts beside it (their folder is on
sys.path when Python runs them)."""
import os


def save_case(model, out_dir, name, optimizer, loss, h5=True):
    """Compiles the model and saves it as OUT_DIR/NAME/model.keras (and model.h5); returns the case folder."""
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    model.compile(optimizer=optimizer, loss=loss)
    model.save(os.path.join(d, "model.keras"))
    if h5:
        model.save(os.path.join(d, "model.h5"))
    return d


def input_keys(model):
    """The model's input names, and key(prefix, i): the npz key of input i ('x', or 'x__<name>' for several inputs)."""
    names = [t.name.split(":")[0] for t in model.inputs]
    multi = len(model.inputs) > 1

    def key(prefix, i):
        return prefix + ("__" + names[i] if multi else "")

    return names, key
