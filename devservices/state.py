"""Where the embedded services keep their data, ports and generated secrets."""

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("EMBEDDED_DATA_DIR", PROJECT_ROOT / "var")).resolve()


def port(name: str, default: int) -> int:
    return int(os.environ.get(f"EMBEDDED_{name}_PORT", default))


@dataclass(frozen=True)
class Secrets:
    """Credentials generated on first start; they never leave the data folder."""

    postgres_password: str
    s3_access_key: str
    s3_secret_key: str
    django_secret_key: str
    demo_admin_password: str

    @classmethod
    def load_or_create(cls) -> "Secrets":
        path = data_dir() / "secrets.json"
        if path.exists():
            return cls(**json.loads(path.read_text()))

        generated = cls(
            postgres_password=secrets.token_urlsafe(24),
            s3_access_key="dev" + secrets.token_hex(8),
            s3_secret_key=secrets.token_urlsafe(32),
            django_secret_key=secrets.token_urlsafe(50),
            demo_admin_password=secrets.token_urlsafe(12),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(asdict(generated), indent=2))
        return generated
