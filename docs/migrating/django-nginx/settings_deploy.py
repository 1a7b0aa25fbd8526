SERVICES = {
    "django": {
            "port": 8000,
            "start": "python manage.py runserver",
    },
    "nginx": {
            "port": 8080,
            "start": "nginx -c {project_dir}/nginx.conf",
            "restart": "kill -s SIGHUP {pid}",
    },
}
