# JupyterHub on one server for the lesson: each student in a Docker container of the lesson's image.
# Needs: pip install jupyterhub dockerspawner jupyterhub-idle-culler; npm install -g configurable-http-proxy
# Add your institution's login (c.JupyterHub.authenticator_class) and DockerSpawner's networking.
import sys

c = get_config()  # noqa: F821 (JupyterHub defines it)

c.JupyterHub.spawner_class = "docker"
c.DockerSpawner.image = "cnn-mnist:0.1.0"  # built from environment.yml by repo2docker (docs/hub.md)
c.DockerSpawner.remove = True  # a new container at every start; the volume keeps the student's files
c.DockerSpawner.volumes = {
    "jupyterhub-user-{username}": "/home/jovyan",
    "/srv/data": {"bind": "/srv/data", "mode": "ro"},  # one copy of mnist.npz for the whole class
}
c.Spawner.default_url = "/lab"  # JupyterLab, where nbgitpuller links open the lesson

# Per student, from the memory measurement (benchmarks/README.md: a limit counts the whole server)
c.Spawner.mem_limit = "2G"  # the server with both notebooks' kernels at once (they ran in 1792 MiB)
c.Spawner.mem_guarantee = "1G"  # the server with one notebook's kernel; DockerSpawner does not enforce it
c.Spawner.cpu_limit = 1
c.Spawner.environment = {
    "MNIST_NPZ": "/srv/data/mnist.npz",
    # TensorFlow sizes its thread pools by the server's cores, not by cpu_limit: as many as the limit
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}

# An idle server gives its memory back after an hour
c.JupyterHub.services = [
    {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]}
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
