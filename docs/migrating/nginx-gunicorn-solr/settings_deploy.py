import os
SERVICES = {
"nginx": {
        "port": 12818,
        "start": "nginx -c {project_dir}/nginx.conf",
        "restart": "kill -s SIGHUP {pid}",
        "templates": ["nginx.conf.template"],
    },
"gunicorn": {
        "port": 25590,
        "start": "gunicorn -D -c settings_gunicorn.py yourapp.wsgi:application",
        "restart": "kill -s SIGHUP {pid}",
        "before": "pip install -r requirements.txt",
        "after": "manage.py syncdb --migrate ",
    },
"solr": {
        "port": 28426,
        "start": ["java", "-Djetty.port={port}", "-Djetty.pid={project_dir}/run/solr.pid", "-Dsolr.solr.home={project_dir}/../solr", "-jar", "start.jar"],
        "cwd": os.getenv("SOLR_EXAMPLE"),
        "daemonizes": False,
    },
}
