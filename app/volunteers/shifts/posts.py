"""Posts (岗点): where volunteers stand, with opening hours."""

from datetime import time

from pydantic import BaseModel, field_validator
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.errors import InvalidInput, parse
from app.fields import text
from app.volunteers.models import Post, PostKind
from app.volunteers.shifts._common import _post_view, _staff, _time
from app.volunteers.shifts.views import PostView


class NewPost(BaseModel):
    name: str
    kind: PostKind
    place: str = ""
    opens: time
    closes: time

    _times = field_validator("opens", "closes", mode="before")(_time)

    _name = field_validator("name")(text(30, required=True))
    _place = field_validator("place")(text(60))


def create_post(session: Session, actor: User | None, community_id: int, data: dict) -> Post:
    """A post (岗点) with its opening hours, e.g. 望江花园东门 门岗 06:00–22:00."""
    _staff(session, actor, community_id)
    form = parse(NewPost, data)
    if form.closes <= form.opens:
        raise InvalidInput({"closes": "errors.closes_before_opens"})
    taken = session.exec(
        select(Post.id).where(Post.community_id == community_id, Post.name == form.name)
    ).first()
    if taken is not None:
        raise InvalidInput({"name": "errors.name_taken"})
    post = Post(community_id=community_id, **form.model_dump())
    session.add(post)
    session.commit()
    return post


def posts(session: Session, actor: User | None, community_id: int) -> list[PostView]:
    _staff(session, actor, community_id)
    rows = session.exec(
        select(Post).where(Post.community_id == community_id).order_by(col(Post.id))
    ).all()
    return [_post_view(p) for p in rows]
