"""Ridge regression references for `npm run bench -- regression` (scikit-learn, alpha=1).

usage: ridge.py DATA.csv SPLIT_TRAIN.csv SPLIT_VAL.csv
Prints one JSON object: R^2 of ridge on scikit-learn's own 80/20 split of DATA.csv (random_state=1),
and on the engine's split (the files hold the standardised features the networks see, target last).
"""
import json
import sys

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split


def xy(path):
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    return d[:, :-1], d[:, -1]


X, y = xy(sys.argv[1])
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=1)
sk = Ridge(alpha=1.0).fit(Xtr, ytr).score(Xva, yva)
Xtr, ytr = xy(sys.argv[2])
Xva, yva = xy(sys.argv[3])
ours = Ridge(alpha=1.0).fit(Xtr, ytr).score(Xva, yva)
print(json.dumps({"sklearn_split": sk, "engine_split": ours}))
