import pytest

from egis.accounts.services import UserInputError, user_create

pytestmark = pytest.mark.django_db


def test_user_names_are_unique_whatever_their_case():
    user_create(username="dana", role="user", password="a-long-password-42")
    with pytest.raises(UserInputError, match="already exists"):
        user_create(username="Dana", role="user", password="a-long-password-42")


def test_weak_passwords_are_refused():
    with pytest.raises(UserInputError, match=r"too common|too short"):
        user_create(username="erin", role="user", password="password")


def test_a_generated_password_is_returned_once_and_stored_hashed():
    user, password = user_create(username="finn", role="admin")
    assert len(password) >= 12 and user.password != password
    assert user.check_password(password) and user.is_staff
