"""The models of the apps above monitoring that the synthetic population also fills
(monitoring.synthetic): a referral to the Doorstroompunt for some adults who left school,
and a meeting with an agenda at every region's case table.

Those apps hand their models over in their AppConfig.ready() (`register_synthetic_model`),
an import of monitoring that import-linter sees, so the dependency points from them down
to monitoring and monitoring never names them. Kept apart from monitoring.synthetic, which
reads the models when it is imported (after every ready())."""

from accounts.registry import Registry

synthetic_model_registry = Registry("models the synthetic population fills")


def register_synthetic_model(key: str, model) -> None:
    """The generator fills `model` as `key` (registering again replaces it)."""
    synthetic_model_registry.add(model, key=key)


def synthetic_model(key: str):
    return synthetic_model_registry.require(key)
